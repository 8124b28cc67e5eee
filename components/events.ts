/**
 * The events Loupe's elements fire, typed once here: `emit()` only accepts a known event name with
 * its detail, and `addEventListener('loupe-…')` on any element sees the detail's type.
 */
import type { BackendReport, DetectionSummary, LoupeErrorType, TrackSummary } from '../models/index.js';

/** What a `<loupe-camera>` shows. */
export type SourceKind = 'camera' | 'video' | 'image';

export interface SourceReadyDetail {
  /** The element holding the frames; pass it to `detector.detect()` or read its pixels. */
  source: HTMLVideoElement | HTMLImageElement;
  kind: SourceKind;
  /** Intrinsic size of the frames, in source pixels. */
  width: number;
  height: number;
  /** The camera's label, or the URL of the clip/image. */
  label: string;
}

export interface ProgressDetail {
  /** 0..1 of the model weights downloaded (stays 1 once they are). */
  fraction: number;
  /**
   * What loading is doing: `download` (the weights), `compile` (WebGL/WebGPU: the model's GPU programs
   * are compiled before the first frame, see `DetectorOptions.warmUp`), `ready` (loaded).
   */
  phase: 'download' | 'compile' | 'ready';
  /** While `phase` is `compile`: 0..1 of the programs compiled (0 until done where the backend does not say). */
  compiled?: number;
}

export interface ErrorDetail {
  type: LoupeErrorType;
  message: string;
}

/** `<loupe-explain>` moved to a step, or explained a new frame (then `index` 0 or the restored step). */
export interface ExplainStepDetail {
  index: number;
  /** The step's id (`input`, `heatmap`, `peaks`, …, `boxes`), as in the URL hash. */
  id: string;
  title: string;
  /** How many steps this frame's explanation has. */
  count: number;
}

/** Event name → detail. The single list of Loupe events. */
export interface LoupeEventDetails {
  'loupe-source-ready': SourceReadyDetail;
  'loupe-detections': DetectionSummary;
  'loupe-backend': BackendReport;
  'loupe-progress': ProgressDetail;
  'loupe-error': ErrorDetail;
  'loupe-explain-step': ExplainStepDetail;
  /** With `track`: a track was confirmed (its first id-carrying frame). */
  'loupe-track-start': TrackSummary;
  /** With `track`: a confirmed track ended (lost longer than the track buffer, or a seek). */
  'loupe-track-end': TrackSummary;
}

export type LoupeEventName = keyof LoupeEventDetails;
export type LoupeEvent<K extends LoupeEventName> = CustomEvent<LoupeEventDetails[K]>;

/**
 * Fires a Loupe event from `target`. Events bubble and are composed, so a page can listen on
 * `document` or on any ancestor, across shadow roots.
 */
export function emit<K extends LoupeEventName>(target: EventTarget, type: K, detail: LoupeEventDetails[K]): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

// GlobalEventHandlersEventMap is the base of HTMLElementEventMap, DocumentEventMap and WindowEventMap, so
// listeners on elements, `document` and `window` all get typed details.
declare global {
  interface GlobalEventHandlersEventMap {
    'loupe-source-ready': LoupeEvent<'loupe-source-ready'>;
    'loupe-detections': LoupeEvent<'loupe-detections'>;
    'loupe-backend': LoupeEvent<'loupe-backend'>;
    'loupe-progress': LoupeEvent<'loupe-progress'>;
    'loupe-error': LoupeEvent<'loupe-error'>;
    'loupe-explain-step': LoupeEvent<'loupe-explain-step'>;
    'loupe-track-start': LoupeEvent<'loupe-track-start'>;
    'loupe-track-end': LoupeEvent<'loupe-track-end'>;
  }
}
