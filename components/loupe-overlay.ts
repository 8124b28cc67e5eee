/**
 * <loupe-overlay>: draws a detector's output on top of the picture it came from: boxes with labels,
 * and the model's class heatmap, registered cell by cell to the displayed frame.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Rank } from '@tensorflow/tfjs';
import {
  HeatmapRenderer,
  colormapStops,
  getModelInfo,
  heatmapPlacement,
  type Detection,
  type DetectionResult,
  type LetterboxTransform,
  type MapHandle,
} from '../src/index.js';
import { emit } from './events.js';
import { fitRect, paintedFrame, sameRect, type Rect } from './internal/fit.js';
import { classColor } from './internal/palette.js';
import { LoupeCamera } from './loupe-camera.js';
import { LoupeDetector } from './loupe-detector.js';
import { overlayStyles } from './loupe-overlay.styles.js';

export type OverlayLayer = 'boxes' | 'heatmap';
export const OVERLAY_LAYERS: readonly OverlayLayer[] = ['boxes', 'heatmap'];

/** What one committed frame of the overlay shows. Boxes and heatmap always come from the same result. */
interface OverlayFrame {
  detections: readonly Detection[];
  letterbox: LetterboxTransform;
  model: string;
  /** Where the heatmap canvas goes, in source pixels; absent when no heatmap was drawn. */
  heatmap?: Rect;
  heatmapClass?: number | null;
  /** Channels of the heatmap (the model's class count). */
  heatmapClasses?: number;
  /** The picture the result was computed on, drawn under the layers (with `show-frame`). */
  picture?: HTMLCanvasElement;
}

interface Layout {
  box: Rect;
  frame: Rect;
}

/** A frame waiting for the heatmap renderer, holding its own reference to the map tensor. */
interface PendingFrame {
  frame: OverlayFrame;
  map: MapHandle<Rank.R3> | null;
}

/**
 * Detection overlay, stacked exactly on the source's picture.
 *
 * Place it over the source (it is `position: absolute; inset: 0`), typically inside the
 * `<loupe-detector>` next to the `<loupe-camera>`: it then follows that detector. `for` names a
 * detector, or a source element when you feed `.result` yourself. It measures where the media element
 * paints its frame (content box, `object-fit`, `object-position`), so letterboxing by the element is
 * accounted for, and scales source pixels to that rectangle.
 *
 * The heatmap layer shows the model's per-cell class scores (max over classes, or `heatmap-class`),
 * colour-mapped with rising opacity, positioned with the engine's `heatmapPlacement()`. It asks the
 * detector to keep the maps only while the layer is on.
 *
 * @summary Boxes and heatmap on top of the video.
 *
 * @fires loupe-error - `bad-option` for an unknown `heatmap-class`; `backend-failed` when the heatmap cannot be drawn.
 *
 * @csspart box - One detection's rectangle (its colour is the custom property `--c`).
 * @csspart label - The label and score of a box.
 * @csspart frame - The analysed video frame under the layers (with `show-frame`).
 * @csspart heatmap - The heatmap layer (a canvas at the map's resolution, stretched to its cells).
 * @csspart legend - The heatmap's colour bar.
 *
 * @cssprop --loupe-box-width - Box stroke width (default `2px`).
 * @cssprop --loupe-heatmap-opacity - Extra opacity of the heatmap layer (default `1`; the colour map already fades low scores out).
 * @cssprop --loupe-heatmap-rendering - `image-rendering` of the heatmap (default `pixelated`: one square per cell; `auto` smooths).
 * @cssprop --loupe-font - Font family of labels.
 */
export class LoupeOverlay extends LitElement {
  static override styles = overlayStyles;

  static override properties = {
    layers: { type: String },
    heatmapClass: { type: String, attribute: 'heatmap-class' },
    htmlFor: { type: String, attribute: 'for' },
    legend: { type: Boolean },
    showFrame: { type: Boolean, attribute: 'show-frame' },
    result: { attribute: false, noAccessor: true },
    source: { attribute: false },
    _frame: { state: true },
  };

  /** Space-separated layers to show: `boxes`, `heatmap`. */
  declare layers: string;
  /** Heatmap of one class (label or 0-based id); unset: the maximum over all classes. */
  declare heatmapClass: string | undefined;
  /** Id of the `<loupe-detector>` to follow, or of the source element. */
  declare htmlFor: string | undefined;
  /** Show the heatmap's colour bar (default true). */
  declare legend: boolean;
  /**
   * Draw the video frame each result was computed on under the layers, so boxes and heatmap sit on
   * what the model saw even when the detector lags the live video (slow backends).
   */
  declare showFrame: boolean;
  /** The media element the result came from (for placement), when not following a detector. */
  declare source: Element | null;

  declare private _frame: OverlayFrame | null;

  /** Where the picture is, measured before each render. */
  private layout: Layout | null = null;
  private detector: LoupeDetector | null = null;
  private _result: DetectionResult | null = null;
  /** Our reference to the heatmap of a result set by the page (whose own may be disposed by now). */
  private heldMap: MapHandle<Rank.R3> | null = null;
  /** The source named by `for`, when it names a source element rather than a detector. */
  private linkedSource: Element | null = null;
  private renderer: HeatmapRenderer | null = null;
  private pending: PendingFrame | null = null;
  private drawing = false;
  private lastHeatmapError = '';
  /** Two canvases for analysed frames: one on screen, one being filled for the next commit. */
  private readonly pictures = [createPictureCanvas(), createPictureCanvas()] as const;
  private readonly resizeObserver = new ResizeObserver(() => this.requestUpdate());
  private observed: Element | null = null;

  constructor() {
    super();
    this.layers = 'boxes';
    this.heatmapClass = undefined;
    this.htmlFor = undefined;
    this.legend = true;
    this.showFrame = false;
    this.source = null;
    this._frame = null;
  }

  /**
   * A result to draw, for pages that run the engine themselves. The overlay takes its own reference to
   * the maps in the setter, so the caller may dispose the result right after setting it.
   */
  get result(): DetectionResult | null {
    return this._result;
  }

  set result(value: DetectionResult | null) {
    const old = this._result;
    this._result = value;
    // Keep a reference to its heatmap, to redraw it when the class or layers change later on.
    this.heldMap?.dispose();
    const map = value?.maps?.heatmap;
    this.heldMap = map && !map.disposed ? retain(map) : null;
    if (value) this.accept(value);
    this.requestUpdate('result', old);
  }

  /** The layers currently on. */
  get activeLayers(): Set<OverlayLayer> {
    const names = this.layers.split(/[\s,]+/);
    return new Set(OVERLAY_LAYERS.filter((layer) => names.includes(layer)));
  }

  /** Which heatmap path the engine renderer took last (`webgpu-render`, `webgl-texture`, `cpu-8bit`). */
  get heatmapPath(): string | undefined {
    return this.renderer?.path;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
    if (this.hasUpdated) {
      this.attach();
      this.requestUpdate();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    this.observed = null;
    this.followDetector(null);
    this.dropPending();
    this.heldMap?.dispose();
    this.heldMap = null;
    this.renderer?.dispose();
    this.renderer = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Attach here rather than at connection: an element named by `for` may come later in the page.
    if (!this.hasUpdated || changed.has('htmlFor')) this.attach();
    if (changed.has('layers')) this.syncMapRequest();
    if (changed.has('showFrame')) this.syncFrameRequest();
    // A new class or layer set redraws from the latest maps, without waiting for the next frame
    // (which, for a still image, never comes).
    if (this.hasUpdated && (changed.has('heatmapClass') || changed.has('layers'))) this.redrawLatest();
    this.layout = this.measure();
  }

  /** Finds what to follow: `for`, else the enclosing `<loupe-detector>`. */
  private attach(): void {
    let target: Element | null = null;
    if (this.htmlFor) target = (this.getRootNode() as Document | ShadowRoot).getElementById?.(this.htmlFor) ?? null;
    else target = this.closest('loupe-detector');
    this.followDetector(target instanceof LoupeDetector ? target : null);
    this.linkedSource = target instanceof LoupeDetector ? null : target;
  }

  private followDetector(detector: LoupeDetector | null): void {
    if (detector === this.detector) return;
    if (this.detector) {
      this.detector.removeEventListener('loupe-detections', this.onDetections);
      this.detector.removeEventListener('loupe-progress', this.onProgress);
      this.detector.removeEventListener('loupe-source-ready', this.onSourceEvent);
      this.detector.removeEventListener('loupe-error', this.onSourceEvent);
      this.detector.releaseMaps(this);
      this.detector.releaseFrames(this);
    }
    this.detector = detector;
    if (detector) {
      detector.addEventListener('loupe-detections', this.onDetections);
      detector.addEventListener('loupe-progress', this.onProgress);
      // Camera events bubble through the detector: a new or failed source invalidates what is drawn.
      detector.addEventListener('loupe-source-ready', this.onSourceEvent);
      detector.addEventListener('loupe-error', this.onSourceEvent);
      this.syncMapRequest();
      this.syncFrameRequest();
      if (detector.result) this.accept(detector.result);
    }
  }

  private syncMapRequest(): void {
    if (!this.detector) return;
    if (this.activeLayers.has('heatmap')) this.detector.requestMaps(this);
    else this.detector.releaseMaps(this);
  }

  private syncFrameRequest(): void {
    if (!this.detector) return;
    if (this.showFrame) this.detector.requestFrames(this);
    else this.detector.releaseFrames(this);
  }

  /** Copies the detector's analysed frame into the canvas not on screen, for the frame about to commit. */
  private capturePicture(): HTMLCanvasElement | undefined {
    const bitmap = this.showFrame ? this.detector?.lastFrame : null;
    if (!bitmap) return undefined;
    const canvas = this.pictures[0] === this._frame?.picture ? this.pictures[1] : this.pictures[0];
    if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
    if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    return canvas;
  }

  private readonly onDetections = (event: Event): void => {
    // Only our detector's own results (an event from a nested one would bubble through too).
    if (event.target !== this.detector) return;
    const result = this.detector?.result;
    if (result) this.accept(result);
  };

  /** A model (re)load started: what is on screen belongs to the old model. */
  private readonly onProgress = (event: Event): void => {
    if (event.target !== this.detector || (event as CustomEvent<{ fraction: number }>).detail.fraction !== 0) return;
    this.dropPending();
    this._frame = null;
  };

  private readonly onSourceEvent = (event: Event): void => {
    if (event.target === this.detector || event.target === this) return;
    if (event.type === 'loupe-source-ready') {
      // The boxes belong to the previous picture; the next result is for the new one.
      this.dropPending();
      this._frame = null;
    }
    this.requestUpdate();
  };

  /** Takes a result: boxes at once, or together with its heatmap (`map`, default its own) once drawn. */
  private accept(result: DetectionResult, heatmap = result.maps?.heatmap): void {
    const frame: OverlayFrame = { detections: result.detections, letterbox: result.letterbox, model: result.model };
    const picture = result === this.detector?.result ? this.capturePicture() : undefined;
    if (picture) frame.picture = picture;
    const map = this.activeLayers.has('heatmap') ? heatmap : undefined;
    if (!map || map.disposed) {
      this.dropPending();
      this.commit(frame);
      return;
    }
    // The detector disposes its maps when the next result arrives: keep our own reference meanwhile.
    this.dropPending();
    this.pending = { frame, map: retain(map) };
    void this.drain();
  }

  private redrawLatest(): void {
    if (this.detector) {
      if (this.detector.result) this.accept(this.detector.result);
    } else if (this._result) {
      this.accept(this._result, this.heldMap ?? undefined);
    }
  }

  /** Draws pending heatmaps one at a time; a newer frame replaces one still waiting (never a queue). */
  private async drain(): Promise<void> {
    if (this.drawing) return;
    this.drawing = true;
    try {
      while (this.pending) {
        const { frame, map } = this.pending;
        this.pending = null;
        try {
          if (map) {
            const classId = this.resolveClassId(frame.model);
            this.renderer ??= new HeatmapRenderer();
            await this.renderer.render(map, { classId });
            frame.heatmap = heatmapPlacement(frame.letterbox, map);
            frame.heatmapClass = classId;
            frame.heatmapClasses = map.tensor.shape[2];
            this.lastHeatmapError = '';
          }
        } catch (error) {
          this.reportHeatmapError(error);
        } finally {
          map?.dispose();
        }
        if (this.isConnected) this.commit(frame);
      }
    } finally {
      this.drawing = false;
    }
  }

  private dropPending(): void {
    this.pending?.map?.dispose();
    this.pending = null;
  }

  /** Shows `frame`; the render re-measures the picture, which may have moved since the last one. */
  private commit(frame: OverlayFrame): void {
    this._frame = frame;
  }

  private resolveClassId(model: string): number | null {
    const value = this.heatmapClass?.trim();
    if (!value || value === 'all' || value === 'max') return null;
    const labels = getModelInfo(model)?.labels ?? [];
    const id = /^\d+$/.test(value) ? Number(value) : labels.indexOf(value);
    if (id >= 0 && id < labels.length) return id;
    this.reportHeatmapError(new Error(`heatmap-class '${value}' is not a class of '${model}'; showing the maximum over classes.`), 'bad-option');
    return null;
  }

  private reportHeatmapError(error: unknown, type: 'bad-option' | 'backend-failed' = 'backend-failed'): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastHeatmapError) return;
    this.lastHeatmapError = message;
    emit(this, 'loupe-error', { type, message: type === 'backend-failed' ? `Drawing the heatmap failed: ${message}` : message });
  }

  /** The media element whose painted frame the layers register to. */
  private mediaElement(): Element | null {
    const source = this.detector?.source ?? this.source ?? this.linkedSource;
    return source instanceof LoupeCamera ? source.source : source;
  }

  /** Where the picture is painted, relative to this element (and keeps observing its size). */
  private measure(): Layout | null {
    if (!this.isConnected) return null;
    const media = this.mediaElement();
    if (media !== this.observed) {
      if (this.observed) this.resizeObserver.unobserve(this.observed);
      if (media) this.resizeObserver.observe(media);
      this.observed = media;
    }
    let layout: Layout | null = media ? paintedFrame(media, this) : null;
    if (media && layout && layout.frame.width === 0) layout = null;
    if (!layout) {
      // No element to measure: fit the source frame into our own box.
      const box = { x: 0, y: 0, width: this.clientWidth, height: this.clientHeight };
      const letterbox = this._frame?.letterbox;
      layout = { box, frame: fitRect(letterbox?.sourceWidth ?? 0, letterbox?.sourceHeight ?? 0, box, 'contain') };
    }
    // Keep the previous object when nothing moved, so the style bindings see no change.
    const previous = this.layout;
    return previous && sameRect(layout.box, previous.box) && sameRect(layout.frame, previous.frame) ? previous : layout;
  }

  protected override render() {
    const frame = this._frame;
    const layout = this.layout;
    // A followed detector without a source (a camera that failed) has nothing for us to sit on.
    if (!frame || !layout || (this.detector && !this.detector.source)) return nothing;
    const { box } = layout;
    // The frame rectangle relative to the viewport (the media element's content box).
    const inner = { x: layout.frame.x - box.x, y: layout.frame.y - box.y, width: layout.frame.width, height: layout.frame.height };
    const layers = this.activeLayers;
    const source = { width: frame.letterbox.sourceWidth, height: frame.letterbox.sourceHeight };
    return html`
      <div class="viewport" style=${styleMap(px(box))}>
        <div class="frame" style=${styleMap(px(inner))}>
          ${this.showFrame && frame.picture ? html`<div class="picture" part="frame">${frame.picture}</div>` : nothing}
          ${layers.has('heatmap') && frame.heatmap && this.renderer
            ? html`
                <div class="clip">
                  <div class="heatmap" part="heatmap" style=${styleMap(percent(frame.heatmap, source))}>${this.renderer.canvas}</div>
                </div>
              `
            : nothing}
          ${layers.has('boxes') ? frame.detections.map((detection) => this.renderBox(detection, source)) : nothing}
        </div>
        ${layers.has('heatmap') && frame.heatmap && this.legend ? this.renderLegend(frame) : nothing}
      </div>
    `;
  }

  private renderBox(detection: Detection, source: { width: number; height: number }) {
    const style = { ...percent(detection, source), '--c': classColor(detection.classId) };
    // A box touching the top edge has no room for its label above it.
    const inside = detection.y < source.height * 0.06;
    return html`
      <div class="box ${inside ? 'label-inside' : ''}" part="box" style=${styleMap(style)}>
        <span class="label" part="label">${detection.label}<span class="score">${Math.round(detection.score * 100)}%</span></span>
      </div>
    `;
  }

  private renderLegend(frame: OverlayFrame) {
    const labels = getModelInfo(frame.model)?.labels ?? [];
    const title =
      frame.heatmapClass == null
        ? `Centre score · max of ${frame.heatmapClasses ?? labels.length} classes`
        : `Centre score · ${labels[frame.heatmapClass] ?? `class ${frame.heatmapClass}`}`;
    return html`
      <div class="legend" part="legend" role="img" aria-label="Heatmap colour scale from 0 to 1">
        <span class="title">${title}</span>
        <span>0</span>
        <span class="bar" style=${styleMap({ background: `linear-gradient(to right, ${colormapStops()})` })}></span>
        <span>1</span>
      </div>
    `;
  }
}

function createPictureCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'loupe-analysed-frame';
  return canvas;
}

/** A second, independently disposable reference to a map (tfjs clones share the GPU data). */
function retain(map: MapHandle<Rank.R3>): MapHandle<Rank.R3> {
  const tensor = map.tensor.clone();
  return {
    tensor,
    stride: map.stride,
    cellOrigin: map.cellOrigin,
    get disposed() {
      return tensor.isDisposed;
    },
    dispose: () => tensor.dispose(),
  };
}

function px(rect: Rect): Record<string, string> {
  return { left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` };
}

/** A rectangle in source pixels as percentages of the source frame, so it scales with the picture. */
function percent(rect: Rect, source: { width: number; height: number }): Record<string, string> {
  const w = source.width || 1;
  const h = source.height || 1;
  return {
    left: `${(rect.x / w) * 100}%`,
    top: `${(rect.y / h) * 100}%`,
    width: `${(rect.width / w) * 100}%`,
    height: `${(rect.height / h) * 100}%`,
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'loupe-overlay': LoupeOverlay;
  }
}
