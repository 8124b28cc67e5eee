/**
 * <loupe-detector>: source element in, detections out. Owns one engine `Detector`, runs it once per
 * video frame (or once per image), and hands results to listeners as events.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import {
  DEFAULT_MODEL_ID,
  LoupeError,
  createDetector,
  getModelIds,
  modelSourceOf,
  getModelInfo,
  isBackendLostSoon,
  summarizeResult,
  whenBackendLost,
  type BackendPreference,
  type BackendReport,
  type DetectionResult,
  type Detector,
  type LoadPhase,
  type LoupeErrorType,
  type SkippedBackend,
  isGpuBackend,
} from '../models/index.js';
import { emit } from './events.js';
import { SMALL_OBJECT_PROPERTIES, smallObjectsSetting, type SmallObjectsAttributes } from './internal/small-objects-attributes.js';
import { LoupeCamera } from './loupe-camera.js';

export type DetectorStatus = 'idle' | 'loading' | 'ready' | 'error';
export type DetectorSource = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** Properties whose change needs a new engine detector (a reload), not just new per-frame options. */
const LOAD_PROPERTIES = ['model', 'backend', 'modelBaseUrl', 'wasmPaths', 'rectInput'] as const;

/**
 * Runs an object detector on a video, image or canvas.
 *
 * The source is the first slotted `<loupe-camera>`, `<video>`, `<img>` or `<canvas>`, or the element
 * whose id is `for`. Videos run once per presented frame (`requestVideoFrameCallback`, else
 * `requestAnimationFrame`); a frame that arrives while the detector is busy is dropped, never queued.
 * Images and canvases run once, and again when they load a new picture or an option changes.
 * Video detection pauses while the tab is hidden or the picture is out of view (`idleReason` says
 * which) and resumes by itself.
 *
 * Results: `loupe-detections` carries plain data. The model's GPU maps are kept only while a consumer
 * asks for them (`needsMaps`, or `requestMaps()` as `<loupe-overlay>` does); they live in `.result`
 * and are disposed when the next result arrives, so a consumer that needs them longer clones the
 * tensor inside its `loupe-detections` listener.
 *
 * An explicit `backend` that cannot start falls back to `auto`; `loupe-backend` then lists the
 * requested backend first in `skipped`, with the reason. Invalid attribute values fire `loupe-error`
 * (`bad-option`) and the previous value stays in effect.
 *
 * @summary Runs a detector on its source, once per frame.
 *
 * @slot - The source: a `<loupe-camera>`, `<video>`, `<img>` or `<canvas>`, plus any overlays to stack on it.
 *
 * @fires loupe-detections - A frame was processed; detail `{detections, timings, backend, model, letterbox}`.
 * @fires loupe-backend - A model loaded; detail `{backend, skipped, device}`.
 * @fires loupe-progress - Loading progress; detail `{fraction, phase, compiled}`: `fraction` 0..1 of the weights downloaded, `phase` `download`, then on WebGL/WebGPU `compile` (shaders compiled at load, `compiled` 0..1), then `ready`.
 * @fires loupe-error - Detail `{type, message}`: `bad-option`, `unknown-model`, `model-load-failed`, `backend-failed`, `bad-input`…
 */
export class LoupeDetector extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
    }
    :host([hidden]) {
      display: none;
    }
  `;

  static override properties = {
    model: { type: String },
    backend: { type: String },
    scoreThreshold: { type: Number, attribute: 'score-threshold' },
    maxDetections: { type: Number, attribute: 'max-detections' },
    htmlFor: { type: String, attribute: 'for' },
    modelBaseUrl: { type: String, attribute: 'model-base-url' },
    wasmPaths: { type: String, attribute: 'wasm-paths' },
    rectInput: { type: Boolean, attribute: 'rect-input' },
    needsMaps: { type: Boolean, attribute: 'needs-maps' },
    paused: { type: Boolean, reflect: true },
    smallObjects: { type: String, attribute: 'small-objects', reflect: true },
    scales: { type: String },
    tileOverlap: { type: Number, attribute: 'tile-overlap' },
    budget: { type: Number },
  };

  /** Registry id of the model (`getModelIds()`), or `ultralytics:<url of model.json>`. */
  declare model: string;
  /** `auto`, `webgpu`, `webgl`, `wasm` or `cpu`. */
  declare backend: BackendPreference;
  /** Minimum score 0..1; unset: the model's default. */
  declare scoreThreshold: number | undefined;
  /** At most this many detections per frame; unset: the model's default. */
  declare maxDetections: number | undefined;
  /** Id of the source element, when it is not a child. */
  declare htmlFor: string | undefined;
  /** Folder URL of the model files; default `/models/` on the page's origin. */
  declare modelBaseUrl: string | undefined;
  /** Folder URL of the WASM backend's binaries; default `/tfjs-wasm/` on the page's origin. */
  declare wasmPaths: string | undefined;
  /**
   * Rectangular model inputs where the model allows them (CenterNet, NanoDet): a 4:3 frame runs at
   * 512 × 384 instead of 512 × 512, a quarter faster, for 0.5–1.7 AP on coco-dev (docs/performance.md).
   */
  declare rectInput: boolean;
  /** Keep the model's GPU maps of the latest result in `.result.maps`. */
  declare needsMaps: boolean;
  /** Stop running on new frames (the last result stays). */
  declare paused: boolean;
  /**
   * Small-object mode (docs/small-objects.md): present = on with the defaults; `full` or `live` (at most
   * 4 model passes a frame) names a preset; absent or `false`: off.
   */
  declare smallObjects: string | null | undefined;
  /** Small-object mode: zoom factors of the tiled passes, e.g. `"2"` or `"2 3"`; unset: the preset's. */
  declare scales: string | undefined;
  /** Small-object mode: least overlap between tiles (0..1); unset: the preset's (0.2). */
  declare tileOverlap: number | undefined;
  /** Small-object mode: at most this many model passes a frame (`0`: no limit); unset: the preset's. */
  declare budget: number | undefined;
  /** The small-object attributes the engine accepted last: what a refused value reverts to. */
  private appliedSmallObjects: SmallObjectsAttributes = { smallObjects: undefined, scales: undefined, tileOverlap: undefined, budget: undefined };

  private _status: DetectorStatus = 'idle';
  private _engine: Detector | null = null;
  private _result: DetectionResult | null = null;
  private _backendReport: BackendReport | null = null;
  private sourceElement: Element | null = null;
  private frameSource: DetectorSource | null = null;
  private readonly mapConsumers = new Set<object>();
  private readonly frameConsumers = new Set<object>();
  /** The video frame the latest result was computed on, while a consumer asks for it. */
  private _lastFrame: ImageBitmap | null = null;
  /** Per-frame options the engine accepted last: what a refused value reverts to. */
  private readonly applied: { scoreThreshold?: number; maxDetections?: number } = {};

  /** Bumped by every (re)load and disconnect: async work carrying an older value is stale. */
  private loadGeneration = 0;
  /** Bumped whenever the frame loop restarts, so an older loop's callbacks end. */
  private loopToken = 0;
  private cancelScheduledFrame: (() => void) | null = null;
  private busy = false;
  /** A static source changed while busy: run once more when the current run ends. */
  private rerunWanted = false;
  private inflight: Promise<void> = Promise.resolve();
  /** Whether the source's picture intersects the viewport (detection pauses while it does not). */
  private sourceInView = true;
  private readonly viewObserver =
    typeof IntersectionObserver === 'undefined'
      ? null
      : new IntersectionObserver((entries) => {
          const inView = entries.at(-1)?.isIntersecting ?? true;
          if (inView === this.sourceInView) return;
          this.sourceInView = inView;
          this.restartLoop();
        });
  private observedSource: Element | null = null;
  /** Last error sent from the frame loop, so a failure repeating every frame is reported once. */
  private lastFrameError = '';
  /** Set by a disconnect until the end of its task: a move (re-inserted at once) keeps model and loop. */
  private teardownPending = false;

  constructor() {
    super();
    this.model = DEFAULT_MODEL_ID;
    this.backend = 'auto';
    this.scoreThreshold = undefined;
    this.maxDetections = undefined;
    this.htmlFor = undefined;
    this.modelBaseUrl = undefined;
    this.wasmPaths = undefined;
    this.rectInput = false;
    this.needsMaps = false;
    this.paused = false;
    this.smallObjects = undefined;
    this.scales = undefined;
    this.tileOverlap = undefined;
    this.budget = undefined;
  }

  /**
   * `idle`, `loading`, `ready` or `error`, also in the `status` attribute so pages, styles and tests
   * can wait on it. Not a reactive property: it changes during updates, and nothing here renders it.
   */
  get status(): DetectorStatus {
    return this._status;
  }

  private setStatus(status: DetectorStatus): void {
    this._status = status;
    this.setAttribute('status', status);
  }

  /** The loaded engine detector, or `null` while loading. */
  get engine(): Detector | null {
    return this._engine;
  }

  /**
   * The latest result, with `maps` when a consumer asked for them. Owned by this element: valid until
   * the next `loupe-detections` (or a reload/disconnect). Do not dispose it.
   */
  get result(): DetectionResult | null {
    return this._result;
  }

  /** What the last load decided about the backend. */
  get backendReport(): BackendReport | null {
    return this._backendReport;
  }

  /** The element frames are read from (for a `<loupe-camera>`, its inner video or image). */
  get source(): DetectorSource | null {
    return this.frameSource;
  }

  /** Class labels of the current model. */
  get labels(): readonly string[] {
    return this._engine?.labels ?? getModelInfo(this.model)?.labels ?? [];
  }

  /** Whether results keep their GPU maps. */
  get wantsMaps(): boolean {
    return this.needsMaps || this.mapConsumers.size > 0;
  }

  /** Registers a consumer of the GPU maps (kept while at least one is registered). */
  requestMaps(consumer: object): void {
    this.mapConsumers.add(consumer);
    // A still picture will not produce another frame by itself: run it again to get its maps.
    if (this._result && !this._result.maps) this.refreshStatic();
  }

  releaseMaps(consumer: object): void {
    this.mapConsumers.delete(consumer);
  }

  /**
   * The exact video frame the latest result was computed on (an `ImageBitmap` owned by this element,
   * closed when the next result arrives), kept while a consumer asks for it with `requestFrames()`.
   * On a slow backend the live video runs ahead of the detector; showing this frame under the
   * overlay keeps boxes and heatmap on what the model actually saw.
   */
  get lastFrame(): ImageBitmap | null {
    return this._lastFrame;
  }

  /** Registers a consumer of `lastFrame` (frames are captured while at least one is registered). */
  requestFrames(consumer: object): void {
    this.frameConsumers.add(consumer);
  }

  releaseFrames(consumer: object): void {
    this.frameConsumers.delete(consumer);
    if (this.frameConsumers.size === 0) this.replaceFrame(null);
  }

  /** Runs the detector on the current frame now, e.g. after drawing into a source canvas. */
  refresh(): void {
    if (this.frameSource) this.requestRun(this.frameSource);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibilityChange);
    if (this.teardownPending) {
      // Moved in the DOM (removed and re-inserted in one task): nothing was released; carry on.
      this.teardownPending = false;
      this.resolveSource();
      return;
    }
    // First connection loads from updated(); a re-connection must load again (disconnect disposed all).
    if (this.hasUpdated) {
      this.resolveSource();
      void this.load();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibilityChange);
    // Release everything at the end of this task (a microtask) unless the element is back by then.
    this.teardownPending = true;
    queueMicrotask(() => {
      if (!this.teardownPending || this.isConnected) return;
      this.teardownPending = false;
      this.teardown();
    });
  }

  /** Stops the loop and releases the result, its maps and the engine detector (after a run in flight). */
  private teardown(): void {
    this.loadGeneration += 1;
    this.stopLoop();
    this.attachSource(null);
    this.replaceResult(null);
    const engine = this._engine;
    this._engine = null;
    this.setStatus('idle');
    // Dispose after any detect() in flight, which still uses the graph.
    if (engine) void this.inflight.then(() => engine.dispose());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.rejectInvalid(changed);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor')) this.resolveSource();
    if (LOAD_PROPERTIES.some((name) => changed.has(name) && changed.get(name) !== this[name])) {
      void this.load();
      return;
    }
    if (changed.has('scoreThreshold') || changed.has('maxDetections') || SMALL_OBJECT_PROPERTIES.some((name) => changed.has(name))) {
      this.applyRunOptions();
      this.refreshStatic();
    }
    if (changed.has('paused')) this.restartLoop();
    // A still picture will not produce another frame by itself: run it again to get its maps.
    if (changed.has('needsMaps') && this.needsMaps && this._result && !this._result.maps) this.refreshStatic();
  }

  protected override firstUpdated(): void {
    this.resolveSource();
  }

  protected override render() {
    return html`<slot @slotchange=${this.resolveSource}></slot>`;
  }

  /**
   * Validates changed attributes; an invalid one is reverted to its previous value, then reported
   * (so a listener reading the properties back sees the values in effect).
   */
  private rejectInvalid(changed: PropertyValues<this>): void {
    if (changed.has('model') && !getModelIds().includes(this.model) && !modelSourceOf(this.model)) {
      const message = `Unknown model '${this.model}'. Known models: ${getModelIds().join(', ')}.`;
      this.model = changed.get('model') ?? DEFAULT_MODEL_ID;
      this.reportError('bad-option', message);
    }
    if (changed.has('backend') && !BACKEND_PREFERENCES.includes(this.backend)) {
      const message = `Unknown backend '${this.backend}'. Use one of: ${BACKEND_PREFERENCES.join(', ')}.`;
      this.backend = changed.get('backend') ?? 'auto';
      this.reportError('bad-option', message);
    }
    const threshold = this.scoreThreshold;
    if (changed.has('scoreThreshold') && threshold != null && !(threshold >= 0 && threshold <= 1)) {
      const message = `score-threshold must be a number from 0 to 1; got '${this.getAttribute('score-threshold') ?? threshold}'.`;
      this.scoreThreshold = changed.get('scoreThreshold');
      this.reportError('bad-option', message);
    }
    const max = this.maxDetections;
    if (changed.has('maxDetections') && max != null && !(Number.isInteger(max) && max >= 1)) {
      const message = `max-detections must be a whole number of at least 1; got '${this.getAttribute('max-detections') ?? max}'.`;
      this.maxDetections = changed.get('maxDetections');
      this.reportError('bad-option', message);
    }
  }

  /** Disposes the current engine detector (once idle) and loads one for the current properties. */
  private async load(): Promise<void> {
    if (!this.isConnected) return;
    const generation = ++this.loadGeneration;
    this.stopLoop();
    this.replaceResult(null);
    const previous = this._engine;
    this._engine = null;
    this._backendReport = null;
    this.setStatus('loading');
    if (previous) {
      await this.inflight;
      previous.dispose();
    }
    if (generation !== this.loadGeneration) return;

    emit(this, 'loupe-progress', { fraction: 0, phase: 'download' });
    const onPhase = (phase: LoadPhase, fraction: number) => {
      if (generation !== this.loadGeneration) return;
      emit(this, 'loupe-progress', phase === 'download' ? { fraction, phase } : { fraction: 1, phase, compiled: fraction });
    };
    const base = { model: modelSourceOf(this.model) ?? this.model, modelBaseUrl: this.modelBaseUrl, wasmPaths: this.wasmPaths, rectInput: this.rectInput, onPhase };
    let engine: Detector;
    let refused: SkippedBackend | undefined;
    try {
      try {
        engine = await createDetector({ ...base, backend: this.backend });
      } catch (error) {
        if (!(error instanceof LoupeError && error.type === 'backend-failed' && this.backend !== 'auto')) throw error;
        // The requested backend cannot start here: carry on with the best one, and say why.
        if (generation !== this.loadGeneration) return;
        refused = { backend: this.backend, reason: error.message };
        engine = await createDetector({ ...base, backend: 'auto' });
      }
    } catch (error) {
      if (generation !== this.loadGeneration) return;
      const type = error instanceof LoupeError ? error.type : 'model-load-failed';
      if (type === 'backend-lost') {
        // Lost while loading (during the warm-up, say): as after a loss mid-run, load again on a new context.
        this.reportError(type, error instanceof Error ? error.message : String(error));
        void this.load();
        return;
      }
      this.setStatus('error');
      this.reportError(type, error instanceof Error ? error.message : String(error));
      return;
    }
    if (generation !== this.loadGeneration) {
      engine.dispose();
      return;
    }
    this._engine = engine;
    const report = engine.backend;
    this._backendReport = refused ? withRefused(report, refused) : report;
    this.applyRunOptions();
    this.setStatus('ready');
    this.lastFrameError = '';
    emit(this, 'loupe-progress', { fraction: 1, phase: 'ready' });
    emit(this, 'loupe-backend', this._backendReport);
    // The requested backend failed: a failure like any other, typed, though detection goes on elsewhere.
    if (refused) this.reportError('backend-failed', `The ${refused.backend} backend could not start (${refused.reason}); running on ${report.backend} instead.`);
    this.restartLoop();
    this.recoverFromLoss(engine, generation);
  }

  /**
   * When the GPU context or device under `engine` is lost: report `backend-lost`, drop everything that
   * lived on it and load again (selectBackend builds a fresh context or device). No-op on CPU backends.
   */
  private recoverFromLoss(engine: Detector, generation: number): void {
    if (!isGpuBackend(engine.backend.backend)) return;
    void whenBackendLost().then((error) => {
      if (generation !== this.loadGeneration || this._engine !== engine || !this.isConnected) return;
      this.reportError(error.type, error.message);
      this.stopLoop();
      this._engine = null;
      try {
        this.replaceResult(null);
        engine.dispose();
      } catch {
        // Releasing resources of a dead context may throw; they are gone either way.
      }
      // A run in flight on the dead backend may never settle: do not wait for it.
      this.inflight = Promise.resolve();
      this.busy = false;
      void this.load();
    });
  }

  /** Pushes threshold and max detections to the engine; a value it refuses is reported and reverted. */
  private applyRunOptions(): void {
    const engine = this._engine;
    if (!engine) return;
    for (const [name, value] of [
      ['scoreThreshold', this.scoreThreshold],
      ['maxDetections', this.maxDetections],
    ] as const) {
      if (value == null) continue;
      try {
        engine.setOptions({ [name]: value });
        this.applied[name] = value;
      } catch (error) {
        this[name] = this.applied[name];
        this.reportError('bad-option', error instanceof Error ? error.message : String(error));
      }
    }
    this.applySmallObjects(engine);
  }

  /** Pushes the small-object attributes to the engine; refused ones are reported and reverted together. */
  private applySmallObjects(engine: Detector): void {
    const current: SmallObjectsAttributes = { smallObjects: this.smallObjects, scales: this.scales, tileOverlap: this.tileOverlap, budget: this.budget };
    try {
      engine.setOptions({ smallObjects: smallObjectsSetting(current) });
      this.appliedSmallObjects = current;
    } catch (error) {
      Object.assign(this, this.appliedSmallObjects);
      this.reportError('bad-option', error instanceof Error ? error.message : String(error));
    }
  }

  private readonly resolveSource = (): void => {
    let target: Element | null = null;
    if (this.htmlFor) {
      const root = this.getRootNode() as Document | ShadowRoot;
      target = root.getElementById?.(this.htmlFor) ?? null;
    } else {
      const slot = this.renderRoot.querySelector('slot');
      target = slot?.assignedElements({ flatten: true }).find(isSourceElement) ?? null;
    }
    if (target !== this.sourceElement) this.attachSource(target);
  };

  private attachSource(element: Element | null): void {
    const old = this.sourceElement;
    if (old) {
      old.removeEventListener('loupe-source-ready', this.onSourceChanged);
      old.removeEventListener('loupe-error', this.onSourceChanged);
      old.removeEventListener('load', this.onSourceChanged);
      old.removeEventListener('loadeddata', this.onSourceChanged);
    }
    this.sourceElement = element;
    if (element instanceof LoupeCamera) {
      element.addEventListener('loupe-source-ready', this.onSourceChanged);
      // A camera that failed has no frames (its `source` is null) until it opens something else.
      element.addEventListener('loupe-error', this.onSourceChanged);
    }
    else if (element instanceof HTMLImageElement) element.addEventListener('load', this.onSourceChanged);
    else if (element instanceof HTMLVideoElement) element.addEventListener('loadeddata', this.onSourceChanged);
    this.onSourceChanged();
  }

  /** The source loaded new content (or is new): pick the frame element and restart the loop. */
  private readonly onSourceChanged = (): void => {
    const element = this.sourceElement;
    this.frameSource = element instanceof LoupeCamera ? element.source : isFrameElement(element) ? element : null;
    this.observeSourceView(this.frameSource);
    // No source, no result: its maps would only hold GPU memory for a picture that is gone.
    if (!this.frameSource) this.replaceResult(null);
    this.restartLoop();
  };

  private stopLoop(): void {
    this.loopToken += 1;
    this.cancelScheduledFrame?.();
    this.cancelScheduledFrame = null;
  }

  /** A hidden tab needs no detections: stop the loop, and start it again when the tab shows. */
  private readonly onVisibilityChange = (): void => {
    this.restartLoop();
  };

  /** Watches whether the picture is on screen; a source out of view pauses detection, like a hidden tab. */
  private observeSourceView(element: Element | null): void {
    if (element === this.observedSource) return;
    if (this.observedSource) this.viewObserver?.unobserve(this.observedSource);
    this.observedSource = element;
    this.sourceInView = true;
    if (element) this.viewObserver?.observe(element);
  }

  /** Why frames are not processed now (paused, hidden tab, source out of view), or null when they are. */
  get idleReason(): 'paused' | 'hidden' | 'out-of-view' | null {
    if (this.paused) return 'paused';
    if (document.visibilityState === 'hidden') return 'hidden';
    if (!this.sourceInView) return 'out-of-view';
    return null;
  }

  private restartLoop(): void {
    this.stopLoop();
    const source = this.frameSource;
    if (!source || !this._engine || this.idleReason !== null || !this.isConnected) return;
    if (source instanceof HTMLVideoElement) this.followVideo(source, this.loopToken);
    else this.requestRun(source);
  }

  /** Runs on each new video frame while idle; frames that arrive while busy are skipped. */
  private followVideo(video: HTMLVideoElement, token: number): void {
    let lastTime = -1;
    const onFrame = () => {
      if (token !== this.loopToken) return;
      // rAF ticks faster than most videos: only a new frame is worth a run.
      if (!this.busy && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.currentTime !== lastTime) {
        lastTime = video.currentTime;
        void this.run(video);
      }
      schedule();
    };
    const schedule = () => {
      if ('requestVideoFrameCallback' in video) {
        const id = video.requestVideoFrameCallback(onFrame);
        this.cancelScheduledFrame = () => video.cancelVideoFrameCallback(id);
      } else {
        const id = requestAnimationFrame(onFrame);
        this.cancelScheduledFrame = () => cancelAnimationFrame(id);
      }
    };
    // A paused video presents no new frames, so run on the frame it shows now.
    onFrame();
  }

  /** Re-runs a source that will not produce frames by itself (image, canvas, paused video). */
  private refreshStatic(): void {
    const source = this.frameSource;
    if (!source || this.paused) return;
    if (source instanceof HTMLVideoElement && !source.paused && !source.ended) return;
    this.requestRun(source);
  }

  private requestRun(source: DetectorSource): void {
    if (!this._engine || this.paused) return;
    if (this.busy) this.rerunWanted = true;
    else void this.run(source);
  }

  private async run(source: DetectorSource): Promise<void> {
    const engine = this._engine;
    if (!engine || !hasPixels(source)) return;
    const generation = this.loadGeneration;
    this.busy = true;
    const task = (async () => {
      // Capture the frame first and detect on the capture, so the two are the same picture.
      let frame: ImageBitmap | null = null;
      try {
        if (this.frameConsumers.size > 0 && source instanceof HTMLVideoElement) frame = await createImageBitmap(source);
        const result = await engine.detect(frame ?? source, { maps: this.wantsMaps });
        if (generation !== this.loadGeneration) result.dispose();
        else {
          this.replaceFrame(frame);
          frame = null;
          this.publish(result);
        }
      } catch (error) {
        // A lost backend is reported (once) and recovered from by recoverFromLoss().
        if (generation !== this.loadGeneration || (await isBackendLostSoon()) || generation !== this.loadGeneration) return;
        const type = error instanceof LoupeError ? error.type : 'bad-input';
        const message = error instanceof Error ? error.message : String(error);
        if (`${type}:${message}` === this.lastFrameError) return;
        this.lastFrameError = `${type}:${message}`;
        this.reportError(type, message);
      } finally {
        frame?.close();
        this.busy = false;
      }
    })();
    this.inflight = task;
    await task;
    if (this.rerunWanted && generation === this.loadGeneration) {
      this.rerunWanted = false;
      if (this.frameSource) this.requestRun(this.frameSource);
    }
  }

  private publish(result: DetectionResult): void {
    this.replaceResult(result);
    this.lastFrameError = '';
    emit(this, 'loupe-detections', summarizeResult(result));
  }

  /** Takes ownership of `next` and releases the previous result's GPU maps (and its frame, if none follows). */
  private replaceResult(next: DetectionResult | null): void {
    const previous = this._result;
    this._result = next;
    if (previous !== next) previous?.dispose();
    if (!next) this.replaceFrame(null);
  }

  private replaceFrame(next: ImageBitmap | null): void {
    if (this._lastFrame !== next) this._lastFrame?.close();
    this._lastFrame = next;
  }

  private reportError(type: LoupeErrorType, message: string): void {
    emit(this, 'loupe-error', { type, message });
  }
}

/**
 * The report of an `auto` load that replaced a refused explicit backend: the refused one comes first,
 * said to be requested, with auto's own (shorter) reason for it when auto tried it too.
 */
function withRefused(report: BackendReport, refused: SkippedBackend): BackendReport {
  const own = report.skipped.find((skip) => skip.backend === refused.backend);
  const rest = report.skipped.filter((skip) => skip.backend !== refused.backend);
  return { ...report, skipped: [{ backend: refused.backend, reason: `requested, but ${own?.reason ?? refused.reason}` }, ...rest] };
}


function isFrameElement(element: Element | null): element is DetectorSource {
  return element instanceof HTMLVideoElement || element instanceof HTMLImageElement || element instanceof HTMLCanvasElement;
}

function isSourceElement(element: Element): boolean {
  return element instanceof LoupeCamera || isFrameElement(element);
}

/** Whether a frame can be read now (a detect() on an empty element would only throw `bad-input`). */
function hasPixels(source: DetectorSource): boolean {
  if (source instanceof HTMLVideoElement) return source.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && source.videoWidth > 0;
  if (source instanceof HTMLImageElement) return source.complete && source.naturalWidth > 0;
  return source.width > 0 && source.height > 0;
}

declare global {
  interface HTMLElementTagNameMap {
    'loupe-detector': LoupeDetector;
  }
}
