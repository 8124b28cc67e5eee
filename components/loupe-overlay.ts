/**
 * <loupe-overlay>: draws a detector's output on top of the picture it came from. The element follows a
 * detector (or takes `.result`) and holds its own references to the model's maps; the maps are drawn by
 * controllers/map-drawing.ts (latest frame wins), the box under inspection is controllers/box-inspection.ts,
 * and what each layer shows lives in components/layers/ (one module per layer, one table: ./layers/index.ts).
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { isColormapName, type ColormapName, getModelInfo, type Detection, type DetectionResult, type WorkerMaps } from '../models/index.js';
import { BoxInspection } from './controllers/box-inspection.js';
import { DisplayClock, type OverlayPrediction } from './controllers/display-clock.js';
import { MapDrawing } from './controllers/map-drawing.js';
import { emit } from './events.js';
import { fitRect, paintedFrame, sameRect, type Rect } from './internal/fit.js';
import { channelOf, levelMapsOf, releaseLevels, retainLevels, retainLive, retainMap, type LevelMapRefs } from './internal/overlay-maps.js';
import { placeBoxLabels, renderBoxes } from './layers/boxes.js';
import { OVERLAY_LAYERS, isOverlayLayer, layersNamed, type OverlayLayer } from './layers/index.js';
import type { LayerContext, LayerMemory, LevelLayout, MapRequest, ModelFacts, OverlayFrame, OverlayLayerModule } from './layers/layer.js';
import { LoupeCamera } from './loupe-camera.js';
import { LoupeDetector } from './loupe-detector.js';
import { overlayStyles } from './loupe-overlay.styles.js';

export { OVERLAY_LAYERS, type OverlayLayer } from './layers/index.js';
export type { OverlayPrediction } from './controllers/display-clock.js';

interface Layout {
  box: Rect;
  frame: Rect;
}

/**
 * Detection overlay, stacked exactly on the source's picture.
 *
 * Place it over the source (it is `position: absolute; inset: 0`), typically inside the
 * `<loupe-detector>` next to the `<loupe-camera>`: it then follows that detector. `for` names a
 * detector, or a source element when you feed `.result` yourself. It measures where the media element
 * paints its frame (content box, `object-fit`, `object-position`), so letterboxing by the element is
 * accounted for, and scales source pixels to that rectangle. Box labels are placed so that they neither
 * overlap one another nor leave the picture (above the box, inside it, below it, nudged, else shortened
 * with the whole text as their `title`). When a layer inspects boxes (`offsets`), a box under the
 * pointer shows its cell's values and a click pins it; from the keyboard each box is a button in the tab
 * order: focus shows its values, Enter pins, Escape unpins.
 *
 * Layers (`layers`, any combination), one module each in components/layers/ (their CSS parts too):
 * The overlay asks the detector to keep the maps only while a layer that needs them is on.
 *
 * @summary Boxes, heatmaps, levels and offsets on top of the video.
 *
 * @fires loupe-error - `bad-option` for an unknown layer, `heatmap-class`, `level` or `colormap`; `backend-failed` when the heatmap cannot be drawn; `model-mismatch` when a box's regression values do not match what the model declares.
 *
 * @cssprop --loupe-box-width - Box stroke width (default `2px`).
 * @cssprop --loupe-heatmap-colormap - Colour map of the heatmaps when the `colormap` attribute is not set: `inferno` (default), `magma`, `viridis`, `cividis`, `turbo`, `grey`.
 * @cssprop --loupe-heatmap-opacity - Extra opacity of the heatmap layer (default `1`; the colour map already fades low scores out).
 * @cssprop --loupe-heatmap-rendering - `image-rendering` of the heatmap (default `pixelated`: one square per cell; `auto` smooths).
 * @cssprop --loupe-overlay-inset-top - Height of a band along the top of the picture that labels, lists and the inspector keep clear of, e.g. for a HUD over the video (default `0px`; `<loupe-live>` sets it for its badges).
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
    predict: { type: Boolean },
    result: { attribute: false, noAccessor: true },
    source: { attribute: false },
    _frame: { state: true },
    _collapsed: { state: true },
  };

  /** Space-separated layers to show: `boxes`, `heatmap`, `levels`, `offsets`, `tiles`, `tracks`. */
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
  /**
   * On the live video (not with `show-frame`), draw tracked boxes moved by their track's velocity to the
   * time of each displayed video frame, so that they keep up with the objects between two detections
   * (at most 1 s ahead, inside the picture). Needs results with tracks (`track` on the detector).
   */
  declare predict: boolean;
  /** The media element the result came from (for placement), when not following a detector. */
  declare source: Element | null;

  declare private _frame: OverlayFrame | null;
  /** Folded parts of the layers' chrome (e.g. the levels layer's maps), by key. */
  declare private _collapsed: ReadonlySet<string>;

  /** Where the picture is, measured before each render. */
  private layout: Layout | null = null;
  private detector: LoupeDetector | null = null;
  private _result: DetectionResult | null = null;
  /** Our references to the maps of a result set by the page (whose own may be disposed by now). */
  private heldMaps: LevelMapRefs[] = [];
  /** The same for a worker-mode result's maps (they stay in the Worker). */
  private heldWorkerMaps: WorkerMaps | undefined;
  /** The source named by `for`, when it names a source element rather than a detector. */
  private linkedSource: Element | null = null;
  /** The memories of the layers on that keep one (`OverlayLayerModule.memory`), by layer name. */
  private readonly memories = new Map<string, LayerMemory>();
  private lastHeatmapError = '';
  /** The maps of the latest frame, drawn one frame at a time. */
  private readonly maps = new MapDrawing({
    heatmapClass: (model) => this.resolveClassId(model),
    colormap: () => this.resolveColormap(),
    commit: (frame, drawn) => {
      if (drawn) this.lastHeatmapError = '';
      if (this.isConnected) this.commit(frame);
      return this.isConnected;
    },
    reportError: (error) => this.reportHeatmapError(error),
  });
  /** Two canvases for analysed frames: one on screen, one being filled for the next commit. */
  private readonly pictures = [createPictureCanvas(), createPictureCanvas()] as const;
  private readonly resizeObserver = new ResizeObserver(() => this.requestUpdate());
  /** The box under the pointer or pinned by a click, and the values at its cell. */
  private readonly inspection = new BoxInspection({
    currentFrame: () => this._frame,
    inspectingLayer: () => this.inspector,
    modelFacts: (model) => this.modelFacts(model),
    requestUpdate: () => this.requestUpdate(),
    reportError: (error) => emit(this, 'loupe-error', { type: error.type, message: error.message }),
  });
  private observed: Element | null = null;
  /** The live video's presented frames, followed while `predict` moves the boxes. */
  private readonly display = new DisplayClock(() => this.requestUpdate());

  constructor() {
    super();
    this.layers = 'boxes';
    this.heatmapClass = undefined;
    this.level = 'all';
    this.colormap = undefined;
    this.htmlFor = undefined;
    this.legend = true;
    this.showFrame = false;
    this.predict = false;
    this.source = null;
    this._frame = null;
    this._collapsed = new Set();
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
    this.heldWorkerMaps?.dispose();
    this.heldMaps = value ? retainLevels(levelMapsOf(value)) : [];
    this.heldWorkerMaps = value?.workerMaps && !value.workerMaps.disposed ? value.workerMaps.retain() : undefined;
    if (value) this.accept(value, this.heldMaps, this.heldWorkerMaps);
    this.requestUpdate('result', old);
  }

  /**
   * With `predict`: the result's frame time and the displayed video frame's media time (ms) that the last
   * render moved the tracked boxes between, and by how much (clamped to 1 s); null when the boxes were drawn
   * where they were detected. For pages that draw their own things in step with the boxes.
   */
  get prediction(): OverlayPrediction | null {
    return this.display.prediction;
  }

  /** The layers currently on. */
  get activeLayers(): Set<OverlayLayer> {
    const names = this.layers.split(/[\s,]+/);
    return new Set(OVERLAY_LAYERS.filter((layer) => names.includes(layer)));
  }

  /** The table rows of the layers on, in table order. */
  private get activeModules(): OverlayLayerModule[] {
    return layersNamed(this.activeLayers);
  }

  /**
   * The heatmap as shown (its canvas and where it lies, in source pixels), for snapshots; null when the
   * layer is off or the canvas is a WebGPU one (not readable outside its frame).
   */
  get heatmapImage(): { canvas: HTMLCanvasElement; rect: Rect; blend: 'screen' | 'normal' } | null {
    const frame = this._frame;
    const layers = this.activeLayers;
    const shown = this.maps.heatmapShown;
    if (!frame?.heatmap || !shown || !(layers.has('heatmap') || layers.has('levels'))) return null;
    // (A WebGPU drawing of the Worker arrives as a bitmap, readable like any canvas.)
    if (shown.path === 'webgpu-render' && shown.canvas === this.maps.heatmapRenderer?.canvas) return null;
    return { canvas: shown.canvas, rect: frame.heatmap, blend: shown.path === 'webgl-texture' ? 'screen' : 'normal' };
  }

  /** Which heatmap path drew the heatmap last (`webgpu-render`, `webgl-texture`, `cpu-8bit`; in worker mode, the Worker's). */
  get heatmapPath(): string | undefined {
    return this.maps.heatmapShown?.path ?? this.maps.heatmapRenderer?.path;
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
    this.display.follow(null);
    this.maps.dispose();
    releaseLevels(this.heldMaps);
    this.heldMaps = [];
    this.heldWorkerMaps?.dispose();
    this.heldWorkerMaps = undefined;
    this.releaseFrame(this._frame);
    this._frame = null;
    this.memories.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Attach here rather than at connection: an element named by `for` may come later in the page.
    if (!this.hasUpdated || changed.has('htmlFor')) this.attach();
    if (changed.has('layers')) {
      // An unknown layer name is refused as a whole: the previous layers stay (bad-option).
      const unknown = this.layers.split(/[\s,]+/).filter((name) => name && !isOverlayLayer(name));
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
    const media = this.mediaElement();
    this.display.follow(this.predict && !this.showFrame && media instanceof HTMLVideoElement ? media : null);
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
    // Whether a layer on draws or inspects the model's maps.
    if (this.activeModules.some((layer) => layer.maps.length > 0)) this.detector.requestMaps(this);
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
    this.maps.drop();
    this.commit(null);
  };

  private readonly onSourceEvent = (event: Event): void => {
    if (event.target === this.detector || event.target === this) return;
    if (event.type === 'loupe-source-ready') {
      // The boxes belong to the previous picture; the next result is for the new one.
      this.maps.drop();
      this.commit(null);
    }
    this.requestUpdate();
  };

  /**
   * Takes a result: boxes at once, or together with its maps (`maps`, default its own; in worker mode
   * `remote`, default its `workerMaps`) once drawn.
   */
  private accept(result: DetectionResult, maps: readonly LevelMapRefs[] = levelMapsOf(result), remote: WorkerMaps | undefined = result.workerMaps): void {
    const frame: OverlayFrame = {
      detections: result.detections,
      letterbox: result.letterbox,
      levels: result.levels ?? [],
      model: result.model,
    };
    if (result.smallObjects) frame.smallObjects = result.smallObjects;
    if (result.tracks) frame.tracks = result.tracks;
    if (result.trackTime !== undefined) frame.trackTime = result.trackTime;
    const picture = result === this.detector?.result ? this.capturePicture() : undefined;
    if (picture) frame.picture = picture;
    if (remote && !remote.disposed && maps.length === 0) return this.acceptFromWorker(frame, remote);
    const live = maps.filter((level) => !level.scores.disposed);
    const selected = this.selectedLevel(live.map((level) => level.stride));
    // What the layers on want drawn or held for this frame.
    const requests: MapRequest[] = this.activeModules.map((layer) => layer.request?.({ levelNamed: selected.named }) ?? {});
    const single = requests.some((r) => r.heatmap) ? live[selected.index] : undefined;
    const panelRequest = requests.find((r) => r.panels)?.panels;
    const layouts: LevelLayout[] = live.map((level) => ({ objectnessChannels: level.objectness && !level.objectness.disposed ? (level.objectness.tensor.shape[2] ?? 0) : 0 }));
    const plan = panelRequest?.(layouts) ?? null;
    const panels = {
      maps: (plan?.panels ?? []).map((spec) => (spec.map === 'objectness' ? channelOf(live[spec.level]!.objectness!, spec.channel ?? 0) : retainMap(live[spec.level]!.scores))),
      anchors: plan?.anchors ?? false,
    };
    const regression = requests.some((r) => r.regression) ? maps.map((level) => retainLive(level.regression)) : [];
    this.maps.drop();
    if (!single && panels.maps.length === 0) {
      frame.regression = regression;
      this.commit(frame);
      return;
    }
    // The detector disposes its maps when the next result arrives: keep our own references meanwhile.
    frame.heatmapLevel = selected.index;
    this.maps.submit({ frame, map: single ? retainMap(single.scores) : null, panels: panels.maps, panelsAreAnchors: panels.anchors, regression });
  }

  /**
   * Worker mode: the same choices as `accept`, from what the Worker says the maps are; they are drawn
   * there (`WorkerMaps.draw`) and arrive as bitmaps; the inspector reads a cell there (`WorkerMaps.read`).
   */
  private acceptFromWorker(frame: OverlayFrame, remote: WorkerMaps): void {
    const selected = this.selectedLevel(remote.levels.map((level) => level.stride));
    const requests: MapRequest[] = this.activeModules.map((layer) => layer.request?.({ levelNamed: selected.named }) ?? {});
    const heatmapLevel = requests.some((r) => r.heatmap) && remote.levels[selected.index] ? selected.index : null;
    const plan = requests.find((r) => r.panels)?.panels?.(remote.levels.map((level) => ({ objectnessChannels: level.objectness?.[2] ?? 0 }))) ?? null;
    const keep = requests.some((r) => r.regression);
    this.maps.drop();
    if (heatmapLevel === null && !plan) {
      if (keep) frame.workerMaps = remote.retain();
      this.commit(frame);
      return;
    }
    frame.heatmapLevel = selected.index;
    const panels = plan?.panels ?? [];
    this.maps.submit({ frame, map: null, panels: [], panelsAreAnchors: plan?.anchors ?? false, regression: [], remote: { maps: remote.retain(), heatmapLevel, panels, keep } });
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

  /** Shows `frame` (releasing what the previous one held); the render re-measures the picture. */
  private commit(frame: OverlayFrame | null): void {
    if (this._frame !== frame) this.releaseFrame(this._frame);
    this._frame = frame;
    this.syncMemories();
    for (const memory of this.memories.values()) memory.commit(frame);
    this.inspection.followInto(frame);
  }

  private releaseFrame(frame: OverlayFrame | null): void {
    for (const handle of frame?.regression ?? []) handle?.dispose();
    frame?.workerMaps?.dispose();
    if (frame) {
      frame.regression = [];
      delete frame.workerMaps;
    }
  }

  /** One memory per layer on that keeps one; a layer switched off forgets. */
  private syncMemories(): void {
    const modules = this.activeModules;
    for (const name of this.memories.keys()) if (!modules.some((layer) => layer.name === name)) this.memories.delete(name);
    for (const layer of modules) if (layer.memory && !this.memories.has(layer.name)) this.memories.set(layer.name, layer.memory());
  }

  /** The layer on that inspects boxes, if any. */
  private get inspector(): OverlayLayerModule | undefined {
    return this.activeModules.find((layer) => layer.inspect);
  }

  private resolveClassId(model: string): number | null {
    const value = this.heatmapClass?.trim();
    if (!value || value === 'all' || value === 'max') return null;
    const { labels } = this.modelFacts(model);
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

  /**
   * What the layers need to know of `model`: labels from the followed detector (URL-loaded models are not
   * in the registry), else the registry's; what its regression maps hold; the detector's threshold.
   */
  private modelFacts(model: string): ModelFacts {
    const info = getModelInfo(model);
    const fromDetector = this.detector?.model === model ? this.detector.labels : undefined;
    const facts: ModelFacts = { labels: fromDetector?.length ? fromDetector : (info?.labels ?? []) };
    if (info?.regression) facts.regression = info.regression;
    const threshold = this.detector?.scoreThreshold;
    if (typeof threshold === 'number') facts.scoreThreshold = threshold;
    return facts;
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
    const frame = this.display.shown(this._frame);
    const layout = this.layout;
    // A followed detector without a source (a camera that failed) has nothing for us to sit on.
    if (!frame || !layout || (this.detector && !this.detector.source)) return nothing;
    const { box } = layout;
    // The frame rectangle relative to the viewport (the media element's content box).
    const inner = { x: layout.frame.x - box.x, y: layout.frame.y - box.y, width: layout.frame.width, height: layout.frame.height };
    const modules = this.activeModules;
    const context: LayerContext = {
      frame,
      source: { width: frame.letterbox.sourceWidth, height: frame.letterbox.sourceHeight },
      layers: new Set(modules.map((layer) => layer.name)),
      legend: this.legend,
      heatmapCanvas: frame.heatmap ? (this.maps.heatmapShown?.canvas ?? null) : null,
      model: this.modelFacts(frame.model),
      inspection: this.inspection.value,
      isCollapsed: (key) => this._collapsed.has(key),
      toggleCollapsed: (key) => {
        const next = new Set(this._collapsed);
        if (!next.delete(key)) next.add(key);
        this._collapsed = next;
      },
    };
    const views = modules.map((layer) => {
      const memory = this.memories.get(layer.name);
      return layer.render?.(memory ? { ...context, memory } : context) ?? {};
    });
    const side = views.map((view) => view.side).filter((content) => content !== undefined && content !== nothing);
    const showsBoxes = modules.some((layer) => layer.showsBoxes?.(frame));
    const decorate = (detection: Detection) => modules.flatMap((layer) => layer.decorateBox?.(detection, frame) ?? []);
    return html`
      <div class="viewport" style=${styleMap(px(box))}>
        <div class="frame ${this.inspector ? 'inspectable' : ''}" style=${styleMap(px(inner))}>
          ${this.showFrame && frame.picture ? html`<div class="picture" part="frame">${frame.picture}</div>` : nothing}
          ${views.map((view) => view.under ?? nothing)}
          ${showsBoxes ? renderBoxes(frame, context.source, decorate, this.inspection.boxHandlers, this.inspector !== undefined) : nothing}
        </div>
        ${side.length > 0 ? html`<div class="top-left">${side}</div>` : nothing}
        ${views.map((view) => view.chrome ?? nothing)}
      </div>
    `;
  }

  protected override updated(): void {
    // Labels go where there is room once everything is laid out: around the panels and the top band.
    const viewport = this.renderRoot.querySelector<HTMLElement>('.viewport');
    const frame = viewport?.querySelector<HTMLElement>(':scope > .frame');
    if (!viewport || !frame) return;
    const origin = viewport.getBoundingClientRect();
    const obstacles = [...viewport.querySelectorAll<HTMLElement>(':scope > :not(.frame)')].flatMap((element) =>
      [...element.getClientRects()].map((r) => ({ x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height })),
    );
    const insetTop = parseFloat(getComputedStyle(this).getPropertyValue('--loupe-overlay-inset-top')) || 0;
    if (insetTop > 0) obstacles.push({ x: 0, y: 0, width: origin.width, height: insetTop });
    placeBoxLabels(viewport, frame, obstacles);
  }
}

function createPictureCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'loupe-analysed-frame';
  return canvas;
}

function px(rect: Rect): Record<string, string> {
  return { left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` };
}

declare global {
  interface HTMLElementTagNameMap {
    'loupe-overlay': LoupeOverlay;
  }
}
