/**
 * <loupe-overlay>: draws a detector's output on top of the picture it came from: boxes with labels,
 * the model's class heatmap registered cell by cell to the displayed frame, the output level each box
 * came from with per-level score maps, and each box's prior point with its regression vectors.
 */
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Rank } from '@tensorflow/tfjs';
import {
  HeatmapRenderer,
  colormapStops,
  isColormapName,
  ownMap,
  type ColormapName,
  getModelInfo,
  heatmapPlacement,
  type Detection,
  type DetectionResult,
  type LetterboxTransform,
  type MapHandle,
  type OutputLevel,
  type SmallObjectsReport,
} from '../models/index.js';
import { emit } from './events.js';
import { fitRect, paintedFrame, sameRect, type Rect } from './internal/fit.js';
import { SIDE_COLORS, classColor, levelColor } from './internal/palette.js';
import { provenanceColor, provenanceLabel, renderScaleStrip, renderTiles } from './internal/tiles-layer.js';
import { LoupeCamera } from './loupe-camera.js';
import { LoupeDetector } from './loupe-detector.js';
import { overlayStyles } from './loupe-overlay.styles.js';

export type OverlayLayer = 'boxes' | 'heatmap' | 'levels' | 'offsets' | 'tiles';
export const OVERLAY_LAYERS: readonly OverlayLayer[] = ['boxes', 'heatmap', 'levels', 'offsets', 'tiles'];

/** The maps of one output level that the overlay draws or inspects. */
interface LevelMapRefs {
  stride: number;
  scores: MapHandle<Rank.R3>;
  regression?: MapHandle<Rank.R3> | undefined;
  /** Per-anchor objectness [H, W, A] (YOLOv2). */
  objectness?: MapHandle<Rank.R3> | undefined;
}

/** One level's score map (or one anchor's objectness map) drawn in the side-by-side strip. */
interface LevelPanel {
  level: number;
  /** Set when the panel shows one anchor's objectness of a single-level anchor-based model. */
  anchor?: number;
  stride: number;
  /** Where the map canvas goes, in source pixels. */
  placement: Rect;
  canvas: HTMLCanvasElement;
}

/** What one committed frame of the overlay shows. Every layer always comes from the same result. */
interface OverlayFrame {
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
  /** Per-level score maps side by side (`levels` layer with `level="all"` on a multi-level model). */
  panels?: LevelPanel[];
  /** Regression maps per level, held while this frame is shown, for the box inspector. */
  regression?: (MapHandle<Rank.R3> | undefined)[];
  /** The picture the result was computed on, drawn under the layers (with `show-frame`). */
  picture?: HTMLCanvasElement;
  /** Small-object mode: the frame's tiles and which of them ran (`tiles` layer). */
  smallObjects?: SmallObjectsReport;
}

/** A box under the pointer and its regression values at its cell. */
interface Inspection {
  detection: Detection;
  /** The regression channels at the cell (GFL: 4 × 11 logits; CenterNet: l, t, r, b in px). */
  values: Float32Array | null;
  /** Clicked: stays (following the object) until the next click. */
  pinned: boolean;
}

interface Layout {
  box: Rect;
  frame: Rect;
}

/** A frame waiting for the heatmap renderers, holding its own references to the map tensors. */
interface PendingFrame {
  frame: OverlayFrame;
  /** The map of the heatmap layer (or of the one level the `levels` layer shows). */
  map: MapHandle<Rank.R3> | null;
  /** Level maps (or per-anchor objectness maps) for the side-by-side strip. */
  panels: MapHandle<Rank.R3>[];
  panelsAreAnchors: boolean;
  regression: (MapHandle<Rank.R3> | undefined)[];
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
 * Layers (`layers`, any combination):
 * - `boxes`: one rectangle per detection, coloured by class, with label and score;
 * - `heatmap`: the model's per-cell class scores (max over classes, or `heatmap-class`) of one output
 *   level (`level`; default the finest), colour-mapped with rising opacity, placed cell by cell with the
 *   engine's `heatmapPlacement()`;
 * - `levels`: boxes coloured by the output level (stride) that produced them, a legend with the count
 *   per level, and the per-level score maps: side by side, each at its own stride (`level="all"`, the
 *   default), or one level over the video (`level="16"`); for a single-level anchor-based model (YOLOv2)
 *   the side-by-side maps are each anchor's objectness;
 * - `offsets`: each detection's cell, its prior point and the regression from it: the four distances
 *   (left, top, right, bottom) to the box edges for anchor-free heads (CenterNet, NanoDet, YOLOv8), the
 *   predicted centre offset inside the cell, on the S×S grid, for anchor-based ones (YOLOv2). Hovering or
 *   clicking a box shows the values at its cell: NanoDet's 4 × 11 bin distributions as bar charts,
 *   YOLOv2's σ(tx), σ(ty), tw, th, CenterNet's distances;
 * - `tiles` (small-object mode): the tile grid of each pyramid scale, coloured by scale, the tiles that
 *   ran solid and those a budget left out dashed; boxes coloured by the scale that found them; a strip
 *   listing the scales with their tiles and boxes.
 * The overlay asks the detector to keep the maps only while a layer that needs them is on.
 *
 * @summary Boxes, heatmaps, levels and offsets on top of the video.
 *
 * @fires loupe-error - `bad-option` for an unknown `heatmap-class`; `backend-failed` when the heatmap cannot be drawn.
 *
 * @csspart box - One detection's rectangle (its colour is the custom property `--c`).
 * @csspart label - The label and score of a box.
 * @csspart frame - The analysed video frame under the layers (with `show-frame`).
 * @csspart heatmap - The heatmap layer (a canvas at the map's resolution, stretched to its cells).
 * @csspart legend - The heatmap's colour bar.
 * @csspart level-legend - The `levels` layer's list of levels.
 * @csspart panels - The strip of per-level score maps.
 * @csspart offsets - The `offsets` layer (an SVG in source pixels).
 * @csspart inspector - The values at the cell of the box under the pointer.
 * @csspart tiles - The `tiles` layer's tile grids (an SVG in source pixels).
 * @csspart scale-strip - The `tiles` layer's list of pyramid scales.
 *
 * @cssprop --loupe-box-width - Box stroke width (default `2px`).
 * @cssprop --loupe-heatmap-colormap - Colour map of the heatmaps when the `colormap` attribute is not set: `inferno` (default), `magma`, `viridis`, `cividis`, `turbo`, `grey`.
 * @cssprop --loupe-heatmap-opacity - Extra opacity of the heatmap layer (default `1`; the colour map already fades low scores out).
 * @cssprop --loupe-heatmap-rendering - `image-rendering` of the heatmap (default `pixelated`: one square per cell; `auto` smooths).
 * @cssprop --loupe-font - Font family of labels.
 */
export class LoupeOverlay extends LitElement {
  static override styles = overlayStyles;

  static override properties = {
    layers: { type: String },
    heatmapClass: { type: String, attribute: 'heatmap-class' },
    level: { type: String },
    colormap: { type: String },
    htmlFor: { type: String, attribute: 'for' },
    legend: { type: Boolean },
    showFrame: { type: Boolean, attribute: 'show-frame' },
    result: { attribute: false, noAccessor: true },
    source: { attribute: false },
    _frame: { state: true },
    _inspection: { state: true },
  };

  /** Space-separated layers to show: `boxes`, `heatmap`, `levels`, `offsets`. */
  declare layers: string;
  /** Heatmap of one class (label or 0-based id); unset: the maximum over all classes. */
  declare heatmapClass: string | undefined;
  /**
   * Output level the maps show, by stride (`8`, `16`, `32`) or `all` (default): the heatmap layer then
   * shows the finest level, the `levels` layer every level side by side.
   */
  declare level: string;
  /**
   * Colour map of the heatmap and level maps: `inferno` (default), `magma`, `viridis`, `cividis`, `turbo`,
   * `grey`. Unset: the CSS custom property `--loupe-heatmap-colormap`, else `inferno`.
   */
  declare colormap: string | undefined;
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
  declare private _inspection: Inspection | null;

  /** Where the picture is, measured before each render. */
  private layout: Layout | null = null;
  private detector: LoupeDetector | null = null;
  private _result: DetectionResult | null = null;
  /** Our references to the maps of a result set by the page (whose own may be disposed by now). */
  private heldMaps: LevelMapRefs[] = [];
  /** The source named by `for`, when it names a source element rather than a detector. */
  private linkedSource: Element | null = null;
  private renderer: HeatmapRenderer | null = null;
  /** One renderer per level of the side-by-side strip. */
  private panelRenderers: HeatmapRenderer[] = [];
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
    this.level = 'all';
    this.colormap = undefined;
    this.htmlFor = undefined;
    this.legend = true;
    this.showFrame = false;
    this.source = null;
    this._frame = null;
    this._inspection = null;
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
    // Keep references to its maps, to redraw them when the class, level or layers change later on.
    releaseLevels(this.heldMaps);
    this.heldMaps = value ? retainLevels(levelMapsOf(value)) : [];
    if (value) this.accept(value, this.heldMaps);
    this.requestUpdate('result', old);
  }

  /** The layers currently on. */
  get activeLayers(): Set<OverlayLayer> {
    const names = this.layers.split(/[\s,]+/);
    return new Set(OVERLAY_LAYERS.filter((layer) => names.includes(layer)));
  }

  /**
   * The heatmap as shown (its canvas and where it lies, in source pixels), for snapshots; null when the
   * layer is off or the canvas is a WebGPU one (not readable outside its frame).
   */
  get heatmapImage(): { canvas: HTMLCanvasElement; rect: Rect; blend: 'screen' | 'normal' } | null {
    const frame = this._frame;
    const layers = this.activeLayers;
    if (!frame?.heatmap || !this.renderer || !(layers.has('heatmap') || layers.has('levels'))) return null;
    if (this.renderer.path === 'webgpu-render') return null;
    return { canvas: this.renderer.canvas, rect: frame.heatmap, blend: this.renderer.path === 'webgl-texture' ? 'screen' : 'normal' };
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
    releaseLevels(this.heldMaps);
    this.heldMaps = [];
    this.releaseFrame(this._frame);
    this._frame = null;
    this.renderer?.dispose();
    this.renderer = null;
    for (const renderer of this.panelRenderers) renderer.dispose();
    this.panelRenderers = [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Attach here rather than at connection: an element named by `for` may come later in the page.
    if (!this.hasUpdated || changed.has('htmlFor')) this.attach();
    if (changed.has('layers')) {
      // An unknown layer name is refused as a whole: the previous layers stay (bad-option).
      const unknown = this.layers.split(/[\s,]+/).filter((name) => name && !(OVERLAY_LAYERS as readonly string[]).includes(name));
      if (unknown.length > 0) {
        const message = `layers: unknown layer(s) ${unknown.map((name) => `'${name}'`).join(', ')}. Known: ${OVERLAY_LAYERS.join(', ')}.`;
        this.layers = changed.get('layers') ?? 'boxes';
        emit(this, 'loupe-error', { type: 'bad-option', message });
      }
      this.syncMapRequest();
    }
    if (changed.has('showFrame')) this.syncFrameRequest();
    // A new class or layer set redraws from the latest maps, without waiting for the next frame
    // (which, for a still image, never comes).
    if (this.hasUpdated && (changed.has('heatmapClass') || changed.has('layers') || changed.has('level') || changed.has('colormap'))) {
      this.redrawLatest();
    }
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
    if (this.needsMaps) this.detector.requestMaps(this);
    else this.detector.releaseMaps(this);
  }

  /** Whether a layer on draws or inspects the model's maps. */
  private get needsMaps(): boolean {
    const layers = this.activeLayers;
    return layers.has('heatmap') || layers.has('levels') || layers.has('offsets');
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
    this.commit(null);
  };

  private readonly onSourceEvent = (event: Event): void => {
    if (event.target === this.detector || event.target === this) return;
    if (event.type === 'loupe-source-ready') {
      // The boxes belong to the previous picture; the next result is for the new one.
      this.dropPending();
      this.commit(null);
    }
    this.requestUpdate();
  };

  /** Takes a result: boxes at once, or together with its maps (`maps`, default its own) once drawn. */
  private accept(result: DetectionResult, maps: readonly LevelMapRefs[] = levelMapsOf(result)): void {
    const frame: OverlayFrame = {
      detections: result.detections,
      letterbox: result.letterbox,
      levels: result.levels ?? [],
      model: result.model,
    };
    if (result.smallObjects) frame.smallObjects = result.smallObjects;
    const picture = result === this.detector?.result ? this.capturePicture() : undefined;
    if (picture) frame.picture = picture;
    const layers = this.activeLayers;
    const live = maps.filter((level) => !level.scores.disposed);
    const selected = this.selectedLevel(live.map((level) => level.stride));
    // The heatmap layer shows one level; so does the levels layer when `level` names one.
    const single = layers.has('heatmap') || (layers.has('levels') && selected.named) ? live[selected.index] : undefined;
    // Side by side: every level of a multi-level model, or each anchor of a single-level anchored one.
    const anchorMaps = layers.has('levels') && live.length === 1 ? live[0]?.objectness : undefined;
    const anchors = anchorMaps && !anchorMaps.disposed ? (anchorMaps.tensor.shape[2] ?? 1) : 1;
    const panels =
      !layers.has('levels') || selected.named
        ? []
        : anchors > 1
          ? Array.from({ length: anchors }, (_, a) => channelOf(anchorMaps!, a))
          : live.length > 1
            ? live.map((level) => retain(level.scores))
            : [];
    const regression = layers.has('offsets') ? maps.map((level) => (level.regression && !level.regression.disposed ? retain(level.regression) : undefined)) : [];
    this.dropPending();
    if (!single && panels.length === 0) {
      frame.regression = regression;
      this.commit(frame);
      return;
    }
    // The detector disposes its maps when the next result arrives: keep our own references meanwhile.
    frame.heatmapLevel = selected.index;
    this.pending = {
      frame,
      map: single ? retain(single.scores) : null,
      panels,
      panelsAreAnchors: anchors > 1,
      regression,
    };
    void this.drain();
  }

  /** The level `level` names among `strides` (`all`/unknown: the finest, index 0). */
  private selectedLevel(strides: readonly number[]): { index: number; named: boolean } {
    const value = this.level?.trim() || 'all';
    if (value === 'all' || value === 'auto') return { index: 0, named: false };
    const index = strides.indexOf(Number(value));
    if (index >= 0) return { index, named: true };
    if (strides.length > 0) {
      this.reportHeatmapError(new Error(`level '${value}' is not a stride of this model (${strides.join(', ')}); showing all levels.`), 'bad-option');
    }
    return { index: 0, named: false };
  }

  private redrawLatest(): void {
    if (this.detector) {
      if (this.detector.result) this.accept(this.detector.result);
    } else if (this._result) {
      this.accept(this._result, this.heldMaps);
    }
  }

  /** Draws pending maps one frame at a time; a newer frame replaces one still waiting (never a queue). */
  private async drain(): Promise<void> {
    if (this.drawing) return;
    this.drawing = true;
    try {
      while (this.pending) {
        const { frame, map, panels, panelsAreAnchors, regression } = this.pending;
        this.pending = null;
        try {
          const classId = this.resolveClassId(frame.model);
          const colormap = this.resolveColormap();
          frame.colormap = colormap;
          if (map) {
            this.renderer ??= new HeatmapRenderer();
            await this.renderer.render(map, { classId, colormap });
            frame.heatmap = heatmapPlacement(frame.letterbox, map);
            frame.heatmapClass = classId;
            frame.heatmapClasses = map.tensor.shape[2];
          }
          frame.panels = [];
          for (const [index, panel] of panels.entries()) {
            const renderer = (this.panelRenderers[index] ??= new HeatmapRenderer());
            const canvas = await renderer.render(panel, { classId, colormap });
            const placement = heatmapPlacement(frame.letterbox, panel);
            frame.panels.push(panelsAreAnchors ? { level: 0, anchor: index, stride: panel.stride, placement, canvas } : { level: index, stride: panel.stride, placement, canvas });
          }
          this.lastHeatmapError = '';
        } catch (error) {
          this.reportHeatmapError(error);
        } finally {
          map?.dispose();
          for (const panel of panels) panel.dispose();
        }
        frame.regression = regression;
        if (this.isConnected) this.commit(frame);
        else for (const handle of regression) handle?.dispose();
      }
    } finally {
      this.drawing = false;
    }
  }

  private dropPending(): void {
    if (!this.pending) return;
    this.pending.map?.dispose();
    for (const panel of this.pending.panels) panel.dispose();
    for (const handle of this.pending.regression) handle?.dispose();
    this.pending = null;
  }

  /** Shows `frame` (releasing what the previous one held); the render re-measures the picture. */
  private commit(frame: OverlayFrame | null): void {
    if (this._frame !== frame) this.releaseFrame(this._frame);
    this._frame = frame;
    const inspected = this._inspection?.detection;
    if (inspected && !frame?.detections.includes(inspected)) {
      // Follow the inspected object into the new frame: the same class, best overlap.
      const next = frame ? followDetection(inspected, frame.detections) : undefined;
      const pinned = this._inspection?.pinned;
      this._inspection = pinned ? { detection: inspected, values: null, pinned } : null;
      if (next) void this.inspect(next, pinned ? undefined : false);
      else this._inspection = null;
    }
  }

  private releaseFrame(frame: OverlayFrame | null): void {
    for (const handle of frame?.regression ?? []) handle?.dispose();
    if (frame) frame.regression = [];
  }

  private resolveClassId(model: string): number | null {
    const value = this.heatmapClass?.trim();
    if (!value || value === 'all' || value === 'max') return null;
    const labels = this.labelsOf(model);
    const id = /^\d+$/.test(value) ? Number(value) : labels.indexOf(value);
    if (id >= 0 && id < labels.length) return id;
    this.reportHeatmapError(new Error(`heatmap-class '${value}' is not a class of '${model}'; showing the maximum over classes.`), 'bad-option');
    return null;
  }

  /** `colormap`, else `--loupe-heatmap-colormap`, else inferno; an unknown name is reported once. */
  private resolveColormap(): ColormapName {
    const value = (this.colormap ?? getComputedStyle(this).getPropertyValue('--loupe-heatmap-colormap')).trim().replace(/^["']|["']$/g, '');
    if (!value) return 'inferno';
    if (isColormapName(value)) return value;
    this.reportHeatmapError(new Error(`colormap '${value}' is not one of inferno, magma, viridis, cividis, turbo, grey; using inferno.`), 'bad-option');
    return 'inferno';
  }

  /** Labels of `model`: the followed detector's (URL-loaded models are not in the registry), else the registry's. */
  private labelsOf(model: string): readonly string[] {
    const fromDetector = this.detector?.model === model ? this.detector.labels : undefined;
    return fromDetector?.length ? fromDetector : (getModelInfo(model)?.labels ?? []);
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
    const showHeat = (layers.has('heatmap') || layers.has('levels')) && frame.heatmap && this.renderer;
    const byLevel = layers.has('levels');
    const byTile = layers.has('tiles') && frame.smallObjects !== undefined;
    return html`
      <div class="viewport" style=${styleMap(px(box))}>
        <div class="frame ${layers.has('offsets') ? 'inspectable' : ''}" style=${styleMap(px(inner))}>
          ${this.showFrame && frame.picture ? html`<div class="picture" part="frame">${frame.picture}</div>` : nothing}
          ${showHeat
            ? html`
                <div class="clip">
                  <div class="heatmap" part="heatmap" style=${styleMap(percent(frame.heatmap!, source))}>${this.renderer!.canvas}</div>
                </div>
              `
            : nothing}
          ${layers.has('offsets') ? this.renderOffsets(frame, source) : nothing}
          ${byTile ? renderTiles(frame.smallObjects!, source) : nothing}
          ${layers.has('boxes') || byLevel || byTile ? frame.detections.map((detection) => this.renderBox(detection, source, byLevel, byTile ? frame.smallObjects : undefined)) : nothing}
        </div>
        ${byTile || (byLevel && frame.panels?.length)
          ? html`<div class="top-left">
              ${byLevel && frame.panels?.length ? this.renderPanels(frame, source) : nothing}
              ${byTile ? renderScaleStrip(frame.smallObjects!, frame.detections) : nothing}
            </div>`
          : nothing}
        ${showHeat && this.legend ? this.renderLegend(frame) : nothing}
        ${byLevel ? this.renderLevelLegend(frame) : nothing}
        ${this._inspection && layers.has('offsets') ? this.renderInspector(this._inspection, frame) : nothing}
      </div>
    `;
  }

  private renderBox(detection: Detection, source: { width: number; height: number }, byLevel: boolean, tiles?: SmallObjectsReport) {
    const color = byLevel ? levelColor(detection.cell.level) : ((tiles && provenanceColor(detection, tiles)) ?? classColor(detection.classId));
    const style = { ...percent(detection, source), '--c': color };
    // A box touching the top edge has no room for its label above it.
    const inside = detection.y < source.height * 0.06;
    const level = (byLevel ? ` · s${detection.cell.stride}` : '') + (tiles ? provenanceLabel(detection) : '');
    return html`
      <div
        class="box ${inside ? 'label-inside' : ''}"
        part="box"
        style=${styleMap(style)}
        @pointerenter=${() => void this.inspect(detection)}
        @click=${() => void this.inspect(detection, true)}
        @pointerleave=${() => this.endInspection(detection)}
      >
        <span class="label" part="label">${detection.label}<span class="score">${Math.round(detection.score * 100)}%${level}</span></span>
      </div>
    `;
  }

  /**
   * Per detection, in source pixels: the cell that produced it, its prior point, and the regression from
   * there — four distances to the edges (anchor-free) or the centre offset inside the cell (YOLOv2).
   */
  private renderOffsets(frame: OverlayFrame, source: { width: number; height: number }) {
    const { letterbox } = frame;
    const cellSize = (stride: number) => ({ width: stride / letterbox.scaleX, height: stride / letterbox.scaleY });
    // Anchor-based heads (YOLOv2): the whole S×S grid, so the responsible cells read as cells of it.
    const grid = frame.levels.find((level) => level.anchors > 1);
    const gridLines = grid
      ? [
          ...Array.from({ length: grid.width + 1 }, (_, i) => {
            const x = (i * grid.stride - letterbox.padX) / letterbox.scaleX;
            return svg`<line class="grid" x1=${x} x2=${x} y1=${-letterbox.padY / letterbox.scaleY} y2=${(grid.height * grid.stride - letterbox.padY) / letterbox.scaleY}></line>`;
          }),
          ...Array.from({ length: grid.height + 1 }, (_, i) => {
            const y = (i * grid.stride - letterbox.padY) / letterbox.scaleY;
            return svg`<line class="grid" y1=${y} y2=${y} x1=${-letterbox.padX / letterbox.scaleX} x2=${(grid.width * grid.stride - letterbox.padX) / letterbox.scaleX}></line>`;
          }),
        ]
      : [];
    return svg`
      <svg class="offsets" part="offsets" viewBox="0 0 ${source.width} ${source.height}" preserveAspectRatio="none" aria-hidden="true">
        ${gridLines}
        ${frame.detections.map((d) => {
          const { priorX, priorY, stride, level } = d.cell;
          // Rows without a cell (Ultralytics exports with NMS inside the graph: level −1) have nothing to show.
          if (!(stride > 0)) return nothing;
          const size = cellSize(stride);
          const anchored = (frame.levels[level]?.anchors ?? 1) > 1;
          // The cell's square is centred on its prior (CenterNet's point, or the cell centre). YOLOv2's
          // offset σ(tx), σ(ty) runs from the square's top-left corner to the predicted box centre.
          const cornerX = priorX - size.width / 2;
          const cornerY = priorY - size.height / 2;
          const right = d.x + d.width;
          const bottom = d.y + d.height;
          const vectors = anchored
            ? svg`<line class="vector" x1=${cornerX} y1=${cornerY} x2=${d.x + d.width / 2} y2=${d.y + d.height / 2} stroke=${SIDE_COLORS[2]}></line>`
            : svg`
                <line class="vector" x1=${priorX} y1=${priorY} x2=${d.x} y2=${priorY} stroke=${SIDE_COLORS[0]}></line>
                <line class="vector" x1=${priorX} y1=${priorY} x2=${priorX} y2=${d.y} stroke=${SIDE_COLORS[1]}></line>
                <line class="vector" x1=${priorX} y1=${priorY} x2=${right} y2=${priorY} stroke=${SIDE_COLORS[2]}></line>
                <line class="vector" x1=${priorX} y1=${priorY} x2=${priorX} y2=${bottom} stroke=${SIDE_COLORS[3]}></line>
              `;
          return svg`
            <g style="--c: ${levelColor(level)}">
              <rect class="cell" x=${cornerX} y=${cornerY} width=${size.width} height=${size.height}></rect>
              ${vectors}
              <circle class="prior" cx=${priorX} cy=${priorY} r=${Math.max(1.5, Math.min(size.width / 8, source.width / 220))}></circle>
            </g>
          `;
        })}
      </svg>
    `;
  }

  /**
   * Reads the regression values at a box's cell (a few floats, only on pointer interaction). A click pins
   * the inspection (it then follows the object from frame to frame until the next click); hovering shows
   * it while the pointer is on the box.
   */
  private async inspect(detection: Detection, pin?: boolean): Promise<void> {
    if (!this.activeLayers.has('offsets')) return;
    const wasPinned = this._inspection?.pinned === true;
    if (pin && wasPinned && this._inspection?.detection === detection) {
      this._inspection = null; // a second click unpins
      return;
    }
    const pinned = pin === true || (pin === undefined && wasPinned);
    const map = this._frame?.regression?.[detection.cell.level];
    this._inspection = { detection, values: null, pinned };
    if (!map || map.disposed) return;
    const [rows = 0, cols = 0, channels = 0] = map.tensor.shape;
    const { x, y } = detection.cell;
    if (x >= cols || y >= rows) return;
    const slice = map.tensor.slice([y, x, 0], [1, 1, channels]);
    try {
      const values = (await slice.data()) as Float32Array;
      if (this._inspection?.detection === detection) this._inspection = { detection, values, pinned };
    } finally {
      slice.dispose();
    }
  }

  private endInspection(detection: Detection): void {
    if (this._inspection?.detection === detection && !this._inspection.pinned) this._inspection = null;
  }

  private renderInspector({ detection, values }: Inspection, frame: OverlayFrame) {
    const level = frame.levels[detection.cell.level];
    const anchors = level?.anchors ?? 1;
    const sides = ['left', 'top', 'right', 'bottom'] as const;
    const heading = html`<span class="title">${detection.label} ${Math.round(detection.score * 100)}% · stride ${detection.cell.stride}, cell (${detection.cell.x}, ${detection.cell.y})${anchors > 1 ? `, anchor ${detection.cell.anchor}` : ''}</span>`;
    let body: unknown = html`<span>reading…</span>`;
    if (values && anchors > 1 && values.length === anchors * 4) {
      // YOLOv2 (yolo-face): σ(tx), σ(ty) place the centre inside the cell; tw, th scale the anchor by e^t.
      const [sx = 0, sy = 0, tw = 0, th = 0] = values.subarray(detection.cell.anchor * 4, detection.cell.anchor * 4 + 4);
      body = html`<span>σ(tx) ${sx.toFixed(2)} · σ(ty) ${sy.toFixed(2)} · tw ${tw.toFixed(2)} · th ${th.toFixed(2)}</span>`;
    } else if (values && values.length % 4 === 0 && values.length / 4 > 4) {
      // Distribution heads (GFL): per side a softmax over the bins, its expectation in cells.
      const bins = values.length / 4;
      body = sides.map((side, index) => {
        const probabilities = softmax(values.subarray(index * bins, (index + 1) * bins));
        const expectation = probabilities.reduce((sum, p, bin) => sum + p * bin, 0);
        return html`
          <div class="dist">
            <span class="side" style=${styleMap({ color: SIDE_COLORS[index] })}>${side[0]}</span>
            <svg viewBox="0 0 ${bins} 1" preserveAspectRatio="none" role="img" aria-label="${side}: ${expectation.toFixed(2)} cells">
              ${probabilities.map((p, bin) => svg`<rect x=${bin + 0.1} y=${1 - p} width="0.8" height=${p} fill=${SIDE_COLORS[index]}></rect>`)}
              <line x1=${expectation + 0.5} x2=${expectation + 0.5} y1="0" y2="1" class="mean"></line>
            </svg>
            <span>${(expectation * detection.cell.stride).toFixed(1)} px</span>
          </div>
        `;
      });
    } else if (values) {
      body = html`<span>${Array.from(values.subarray(0, 8), (v, i) => `${values.length === 4 ? sides[i] : i}: ${v.toFixed(1)}`).join(' · ')}</span>`;
    }
    return html`<div class="inspector" part="inspector" role="status">${heading}${body}</div>`;
  }

  private renderLevelLegend(frame: OverlayFrame) {
    if (frame.levels.length === 0) return nothing;
    const counts = frame.levels.map((_, level) => frame.detections.filter((d) => d.cell.level === level).length);
    return html`
      <ul class="level-legend" part="level-legend" aria-label="Output levels">
        ${frame.levels.map(
          (level, index) => html`
            <li style=${styleMap({ '--c': levelColor(index) })}>
              <span class="swatch"></span>stride ${level.stride} · ${level.width}×${level.height}<span class="count">${counts[index]}</span>
            </li>
          `,
        )}
      </ul>
    `;
  }

  /** The per-level score maps side by side, each over a small copy of the frame at its own stride. */
  private renderPanels(frame: OverlayFrame, source: { width: number; height: number }) {
    return html`
      <div class="panels" part="panels" style=${styleMap({ '--aspect': `${source.width} / ${source.height}`, '--count': String(frame.panels!.length) })}>
        ${frame.panels!.map(
          (panel) => html`
            <figure class="panel" style=${styleMap({ '--c': levelColor(panel.anchor ?? panel.level) })}>
              <div class="panel-frame">
                <div class="heatmap" style=${styleMap(percent(panel.placement, source))}>${panel.canvas}</div>
                ${frame.detections
                  .filter((d) => (panel.anchor === undefined ? d.cell.level === panel.level : d.cell.anchor === panel.anchor))
                  .map((d) => html`<div class="mini-box" style=${styleMap(percent(d, source))}></div>`)}
              </div>
              <figcaption>${panel.anchor === undefined ? `stride ${panel.stride}` : `anchor ${panel.anchor}`}</figcaption>
            </figure>
          `,
        )}
      </div>
    `;
  }

  private renderLegend(frame: OverlayFrame) {
    const labels = this.labelsOf(frame.model);
    const what =
      frame.heatmapClass == null
        ? `max of ${frame.heatmapClasses ?? labels.length} classes`
        : (labels[frame.heatmapClass] ?? `class ${frame.heatmapClass}`);
    const level = frame.levels.length > 1 ? ` · stride ${frame.levels[frame.heatmapLevel ?? 0]?.stride}` : '';
    return html`
      <div class="legend" part="legend" role="img" aria-label="Heatmap colour scale from 0 to 1">
        <span class="title">Score · ${what}${level}</span>
        <span>0</span>
        <span class="bar" style=${styleMap({ background: `linear-gradient(to right, ${colormapStops(frame.colormap)})` })}></span>
        <span>1</span>
      </div>
    `;
  }
}

/** The result's maps per level (single-level results without `levels`: the heatmap and ltrb). */
function levelMapsOf(result: DetectionResult): LevelMapRefs[] {
  const maps = result.maps;
  if (!maps) return [];
  if (maps.levels?.length) {
    return maps.levels.map((level) => ({ stride: level.stride, scores: level.scores, regression: level.regression, objectness: level.objectness }));
  }
  return maps.heatmap ? [{ stride: maps.heatmap.stride, scores: maps.heatmap, regression: maps.ltrb }] : [];
}

function retainLevels(levels: readonly LevelMapRefs[]): LevelMapRefs[] {
  return levels
    .filter((level) => !level.scores.disposed)
    .map((level) => ({
      stride: level.stride,
      scores: retain(level.scores),
      regression: level.regression && !level.regression.disposed ? retain(level.regression) : undefined,
      objectness: level.objectness && !level.objectness.disposed ? retain(level.objectness) : undefined,
    }));
}

function releaseLevels(levels: readonly LevelMapRefs[]): void {
  for (const level of levels) {
    level.scores.dispose();
    level.regression?.dispose();
    level.objectness?.dispose();
  }
}

/** The detection in `candidates` that continues `previous` (same class, IoU ≥ 0.3, best overlap). */
function followDetection(previous: Detection, candidates: readonly Detection[]): Detection | undefined {
  let best: Detection | undefined;
  let bestIou = 0.3;
  for (const candidate of candidates) {
    if (candidate.classId !== previous.classId) continue;
    const ix = Math.min(previous.x + previous.width, candidate.x + candidate.width) - Math.max(previous.x, candidate.x);
    const iy = Math.min(previous.y + previous.height, candidate.y + candidate.height) - Math.max(previous.y, candidate.y);
    if (ix <= 0 || iy <= 0) continue;
    const intersection = ix * iy;
    const overlap = intersection / (previous.width * previous.height + candidate.width * candidate.height - intersection);
    if (overlap >= bestIou) {
      best = candidate;
      bestIou = overlap;
    }
  }
  return best;
}

function softmax(logits: Float32Array): number[] {
  const top = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function createPictureCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'loupe-analysed-frame';
  return canvas;
}

/** A second, independently disposable reference to a map (tfjs clones share the GPU data). */
function retain(map: MapHandle<Rank.R3>): MapHandle<Rank.R3> {
  return ownMap(map.tensor.clone(), map.stride, map.cellOrigin);
}

/** One channel of a map as its own [H, W, 1] handle (an anchor's objectness). */
function channelOf(map: MapHandle<Rank.R3>, channel: number): MapHandle<Rank.R3> {
  return ownMap(map.tensor.slice([0, 0, channel], [-1, -1, 1]), map.stride, map.cellOrigin);
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
