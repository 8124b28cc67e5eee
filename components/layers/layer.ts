/**
 * What one `<loupe-overlay>` layer is: its name in `layers`, its control-bar label, the CSS parts it
 * exposes, the model maps it needs, how it draws a committed frame, and what it shows when a box is
 * inspected. The overlay element owns the state (followed detector, held maps, the draw queue, the
 * inspection); a layer is a description plus pure render functions of an `OverlayFrame`.
 * Add a layer: one module exporting `defineLayer({...})`, one row in `./index.ts`.
 */
import type { Rank } from '@tensorflow/tfjs';
import type { ColormapName } from '../../src/render/colormap.js';
import type { RegressionSpec } from '../../src/model-descriptor.js';
import type { Detection, LetterboxTransform, MapHandle, OutputLevel, SmallObjectsReport, TrackSummary, WorkerMaps } from '../../src/types.js';
import type { Rect, Size } from '../internal/fit.js';

/** A CSS part of the overlay's shadow DOM, documented in the manifest and forwarded by `<loupe-live>`. */
export interface CssPart {
  name: string;
  description: string;
}

/** The model maps a layer draws or inspects; while a layer needing any is on, the detector keeps them. */
export type MapKind = 'scores' | 'objectness' | 'regression';

/** One level's score map (or one anchor's objectness map) drawn in the side-by-side strip. */
export interface LevelPanel {
  level: number;
  /** Set when the panel shows one anchor's objectness of a single-level anchor-based model. */
  anchor?: number;
  stride: number;
  /** Where the map canvas goes, in source pixels. */
  placement: Rect;
  canvas: HTMLCanvasElement;
  /** The map's highest value as drawn, read for a panel without any box (its note says it). */
  peak?: number;
}

/** What one committed frame of the overlay shows. Every layer always draws from the same result. */
export interface OverlayFrame {
  detections: readonly Detection[];
  letterbox: LetterboxTransform;
  levels: readonly OutputLevel[];
  model: string;
  /** Where the heatmap canvas goes, in source pixels; absent when no heatmap was drawn. */
  heatmap?: Rect;
  heatmapClass?: number | null;
  /** Channels of the heatmap (the model's class count). */
  heatmapClasses?: number;
  /** Output level the heatmap shows. */
  heatmapLevel?: number;
  /** Colour map the maps were drawn with. */
  colormap?: ColormapName;
  /** Per-level score maps (or per-anchor objectness maps) drawn for the side-by-side strip. */
  panels?: LevelPanel[];
  /** Regression maps per level, held while this frame is shown, for the box inspector. */
  regression?: (MapHandle<Rank.R3> | undefined)[];
  /** Worker mode: the result's maps in the Worker, held while this frame is shown, for the box inspector. */
  workerMaps?: WorkerMaps;
  /** The picture the result was computed on, drawn under the layers (with `show-frame`). */
  picture?: HTMLCanvasElement;
  /** Small-object mode: the frame's tiles and which of them ran. */
  smallObjects?: SmallObjectsReport;
  /** With `track`: the live tracks after this frame (`DetectionResult.tracks`). */
  tracks?: readonly TrackSummary[];
  /** With `track`: the frame's time (ms) the tracks are at (`DetectionResult.trackTime`). */
  trackTime?: number;
}

/**
 * What a layer keeps across an overlay's committed frames (the `tracks` layer's trails): one per overlay
 * and layer, made when the layer goes on, dropped when it goes off.
 */
export interface LayerMemory {
  /** A frame was committed; null: what was shown belongs to another picture or model (start over). */
  commit(frame: OverlayFrame | null): void;
}

/** A box under the pointer (or pinned by a click) and what the inspecting layer read at its cell. */
export interface Inspection {
  detection: Detection;
  /** The inspected map's channels at the box's cell; null while reading. */
  values: Float32Array | null;
  /** What the layer's `inspect.read` made of them (or the error it threw). */
  reading?: unknown;
  /** Clicked: stays (following the object) until the next click. */
  pinned: boolean;
  /**
   * Pinned, but the latest frame has no detection continuing the object (a score dipped under the
   * threshold, an occlusion): the values shown are from the last frame that had it, and the inspection
   * picks the object up again when it is detected.
   */
  missing?: boolean;
}

/** What the overlay knows of the frame's model. */
export interface ModelFacts {
  labels: readonly string[];
  /** What its regression maps hold, when the model declares it. */
  regression?: RegressionSpec;
  /** The followed detector's score threshold (boxes below it are not drawn). */
  scoreThreshold?: number;
}

/** Everything a layer's render may read. */
export interface LayerContext {
  frame: OverlayFrame;
  /** Source frame size: the coordinate system of detections and placements. */
  source: Size;
  /** The layers on. */
  layers: ReadonlySet<string>;
  /** The overlay's `legend` attribute. */
  legend: boolean;
  /** The heatmap renderer's canvas, when `frame.heatmap` was drawn. */
  heatmapCanvas: HTMLCanvasElement | null;
  model: ModelFacts;
  inspection: Inspection | null;
  /** This layer's memory (`OverlayLayerModule.memory`), when it has one. */
  memory?: LayerMemory;
  /** Collapsible parts of a layer's chrome (keyed by the layer), kept by the overlay across frames. */
  isCollapsed(key: string): boolean;
  toggleCollapsed(key: string): void;
}

/** Where a layer's output goes in the overlay's shadow DOM (each a Lit renderable). */
export interface LayerView {
  /** Inside the picture frame, positioned in % of the source, under the boxes. */
  under?: unknown;
  /** The top-left column (stacked lists beside the backend badge). */
  side?: unknown;
  /** Panels at the picture's edges (legends, inspector), each placing itself. */
  chrome?: unknown;
}

/** One map of the side-by-side strip: a level's scores, or one anchor's objectness channel. */
export interface PanelSpec {
  /** Index into the frame's levels. */
  level: number;
  map: 'scores' | 'objectness';
  /** With `objectness`: the anchor. */
  channel?: number;
}

/** Which maps of the frame's levels the strip shows (drawn by the draw queue, on this thread or in the Worker). */
export interface PanelPlan {
  panels: PanelSpec[];
  /** One anchor's objectness per panel (single-level anchored heads) instead of one level each. */
  anchors: boolean;
}

/** What the strip needs to know of an output level's maps. */
export interface LevelLayout {
  /** Channels of the level's objectness map (anchors); 0 when it has none. */
  objectnessChannels: number;
}

/** What the draw queue prepares for a frame on behalf of a layer. */
export interface MapRequest {
  /** Render the selected level's scores as the heatmap canvas (`frame.heatmap`). */
  heatmap?: boolean;
  /** Render these maps for the strip (`frame.panels`). */
  panels?: (levels: readonly LevelLayout[]) => PanelPlan | null;
  /** Hold each level's regression map while the frame is shown (`frame.regression`). */
  regression?: boolean;
}

/** How a layer recolours or annotates the boxes (first colour in table order wins; suffixes add up). */
export interface BoxDecoration {
  color?: string;
  /** Appended to the score, e.g. ` · s8`. */
  suffix?: string;
}

export interface OverlayLayerModule<Name extends string = string> {
  name: Name;
  /** The control bar's button text. */
  label: string;
  /** One line for the docs: what the layer shows. */
  summary: string;
  parts: readonly CssPart[];
  maps: readonly MapKind[];
  /** Whether the boxes are drawn for `frame` while this layer is on (decorated by every layer on). */
  showsBoxes?(frame: OverlayFrame): boolean;
  /** What the draw queue must prepare; `levelNamed`: the `level` attribute names one stride. */
  request?(selection: { levelNamed: boolean }): MapRequest;
  decorateBox?(detection: Detection, frame: OverlayFrame): BoxDecoration | undefined;
  /**
   * Hit-test / inspect: with the layer on, the boxes take the pointer; hovering or clicking one reads
   * `map` at its cell ([R] floats, one small read) and keeps `read`'s result in `inspection.reading`.
   * `read` may throw a `LoupeError` (the overlay reports it as a `loupe-error` and the layer shows it).
   */
  inspect?: { map: 'regression'; read(values: Float32Array, detection: Detection, model: ModelFacts): unknown };
  /** Makes the layer's memory of past frames (see `LayerMemory`), for layers that draw more than one frame. */
  memory?(): LayerMemory;
  render?(context: LayerContext): LayerView;
}

/** Types a layer module (keeps its name a literal, so the table gives the `OverlayLayer` union). */
export function defineLayer<const Name extends string>(layer: OverlayLayerModule<Name>): OverlayLayerModule<Name> {
  return layer;
}
