/**
 * <loupe-detector>: source element in, detections out. Owns one engine `Detector`, runs it once per
 * video frame (or once per image), and hands results to listeners as events. The load phase is an
 * `EngineLoader`, the frame loop a `FrameLoop` (components/controllers/); this class wires them to the
 * DOM: attributes, the source element, visibility, and events.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import {
  DEFAULT_MODEL_ID,
  LoupeError,
  checkBackendPreference,
  checkModel,
  checkWorkerMode,
  createDetector,
  getModelInfo,
  isBackendLostSoon,
  isGpuBackend,
  modelSourceOf,
  summarizeResult,
  type BackendPreference,
  type BackendReport,
  type DetectionResult,
  type Detector,
  type LoupeErrorType,
  type WorkerMode,
} from '../models/index.js';
import { EngineLoader } from './controllers/engine-loader.js';
import { FrameLoop } from './controllers/frame-loop.js';
import { emit } from './events.js';
import { DEFAULT_WORKER_MODE, DETECTOR_ATTRIBUTES, propertiesOf } from './internal/attributes.js';
import { SMALL_OBJECT_PROPERTIES, smallObjectsSetting, type SmallObjectsAttributes } from './internal/small-objects-attributes.js';
import { LoupeCamera } from './loupe-camera.js';

export type DetectorStatus = 'idle' | 'loading' | 'ready' | 'error';
export type DetectorSource = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;

/** Properties whose change needs a new engine detector (a reload), not just new per-frame options. */
const LOAD_PROPERTIES = ['model', 'backend', 'modelBaseUrl', 'wasmPaths', 'rectInput', 'track', 'worker'] as const;

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
 * (`bad-option`, with the engine's message, once per change) and the previous value stays in effect;
 * a removed attribute goes back to its default (for `score-threshold` and `max-detections`, the model's).
 *
 * @summary Runs a detector on its source, once per frame.
 *
 * @slot - The source: a `<loupe-camera>`, `<video>`, `<img>` or `<canvas>`, plus any overlays to stack on it.
 *
 * @fires loupe-detections - A frame was processed; detail `{detections, timings, backend, model, letterbox}`.
 * @fires loupe-track-start - With `track`: a track was confirmed; detail the track `{id, classId, label, state, box, velocity, age, hits, lastSeen, score}`.
 * @fires loupe-track-end - With `track`: a confirmed track ended (lost longer than the track buffer, or the video went back); detail the track.
 * @fires loupe-backend - A model loaded; detail `{backend, skipped, device, thread, reason}`: `thread` `worker` or `main` (with `reason`: why not in the Worker, docs/worker.md).
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
    ...propertiesOf(DETECTOR_ATTRIBUTES),
    htmlFor: { type: String, attribute: 'for' },
    needsMaps: { type: Boolean, attribute: 'needs-maps' },
    paused: { type: Boolean, reflect: true },
  };

  /** Registry id of the model (`getModelIds()`), or `ultralytics:<url of model.json>`. */
  declare model: string;
  /** `auto`, `webgpu`, `webgl`, `wasm` or `cpu`. */
  declare backend: BackendPreference;
  /** Minimum score 0..1; unset (or removed): the model's default. */
  declare scoreThreshold: number | undefined;
  /** At most this many detections per frame; unset (or removed): the model's default. */
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
  /**
   * Multi-object tracking (docs/tracking.md): detections of confirmed tracks carry a stable `trackId`,
   * results their `tracks`; `loupe-track-start` / `loupe-track-end` fire as tracks are confirmed and end.
   */
  declare track: boolean;
  /**
   * Run the engine in Loupe's Worker, off the page's main thread (docs/worker.md): absent (the default)
   * or `auto`: in the Worker where it can, else on the main thread with the reason in `loupe-backend`;
   * present or `true`: always (`backend-failed` where it cannot); `false`: the main thread. The maps stay in the Worker, where the
   * overlay's map layers have them drawn (`.result.workerMaps`). Where it runs and why: `loupe-backend`'s
   * `thread` and `reason`.
   */
  declare worker: WorkerMode | undefined;
  /** Keep the model's GPU maps of the latest result in `.result.maps` (in worker mode `.result.workerMaps`). */
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

  /** The values the engine accepted last: what a refused value reverts to. */
  private accepted: Partial<Pick<LoupeDetector, 'scoreThreshold' | 'maxDetections'>> & { smallObjects: SmallObjectsAttributes } = {
    smallObjects: { smallObjects: undefined, scales: undefined, tileOverlap: undefined, budget: undefined },
  };
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

  private readonly loader = new EngineLoader(createDetector, {
    progress: (detail) => emit(this, 'loupe-progress', detail),
    error: (type, message) => this.reportError(type, message),
  });
  private readonly loop = new FrameLoop<DetectorSource>({
    isVideo: (source): source is HTMLVideoElement => source instanceof HTMLVideoElement,
    runOnce: (source) => this.detectOnce(source),
    requestAnimationFrame: (callback) => {
      const id = requestAnimationFrame(callback);
      return () => cancelAnimationFrame(id);
    },
  });
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
  /** The media whose frame copy failed last (cleared by a result): one failed copy is retried first. */
  private copyFailedOn: unknown = null;
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
    this.track = false;
    this.worker = undefined;
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
   * The latest result, with `maps` (worker mode: `workerMaps`) when a consumer asked for them. Owned by this element: valid until
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
    if (this._result && !hasMaps(this._result)) this.refreshStatic();
  }

  /** Unregisters a consumer of the GPU maps (results stop keeping them when none is left). */
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

  /** Unregisters a consumer of `lastFrame` (the held frame is closed when none is left). */
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
    this.loader.invalidate();
    this.loop.stop();
    this.attachSource(null);
    this.replaceResult(null);
    const engine = this._engine;
    this._engine = null;
    this.setStatus('idle');
    // Dispose after any detect() in flight, which still uses the graph.
    if (engine) void this.loop.inflight.then(() => engine.dispose());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.rejectInvalidLoadOptions(changed);
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
    if (changed.has('needsMaps') && this.needsMaps && this._result && !hasMaps(this._result)) this.refreshStatic();
  }

  protected override firstUpdated(): void {
    this.resolveSource();
  }

  protected override render() {
    return html`<slot @slotchange=${this.resolveSource}></slot>`;
  }

  /**
   * A new `model` or `backend` is checked by the engine's own validators before the working model is
   * let go: an invalid one is reverted to its previous value, then reported with the engine's message
   * (so a listener reading the properties back sees the values in effect). Per-frame options are the
   * engine's to refuse (`applyRunOptions`).
   */
  private rejectInvalidLoadOptions(changed: PropertyValues<this>): void {
    const checks = [
      ['model', () => checkModel(this.model), DEFAULT_MODEL_ID],
      ['backend', () => checkBackendPreference(this.backend), 'auto'],
      ['worker', () => checkWorkerMode(this.worker), undefined],
    ] as const;
    for (const [name, check, fallback] of checks) {
      if (!changed.has(name)) continue;
      try {
        check();
      } catch (error) {
        (this as Record<typeof name, unknown>)[name] = changed.get(name) ?? fallback;
        this.reportError('bad-option', error instanceof Error ? error.message : String(error));
      }
    }
  }

  /** Disposes the current engine detector (once idle) and loads one for the current properties. */
  private async load(): Promise<void> {
    if (!this.isConnected) return;
    const generation = this.loader.begin();
    this.loop.stop();
    this.replaceResult(null);
    const previous = this._engine;
    this._engine = null;
    this._backendReport = null;
    this.setStatus('loading');
    if (previous) {
      await this.loop.inflight;
      previous.dispose();
    }
    if (!this.loader.isCurrent(generation)) return;
    const request = { model: modelSourceOf(this.model) ?? this.model, backend: this.backend, modelBaseUrl: this.modelBaseUrl, wasmPaths: this.wasmPaths, rectInput: this.rectInput, track: this.track, worker: this.worker ?? DEFAULT_WORKER_MODE };
    const { outcome, retry } = await this.loader.load(generation, request);
    // Lost while loading (during the warm-up, say): as after a loss mid-run, load again on a new context.
    if (retry) return void this.load();
    if (!outcome) {
      if (this.loader.isCurrent(generation)) this.setStatus('error');
      return;
    }
    const { engine, report, refused } = outcome;
    this._engine = engine;
    this._backendReport = report;
    this.applyRunOptions();
    this.setStatus('ready');
    this.lastFrameError = '';
    emit(this, 'loupe-progress', { fraction: 1, phase: 'ready' });
    emit(this, 'loupe-backend', report);
    // The requested backend failed: a failure like any other, typed, though detection goes on elsewhere.
    if (refused) this.reportError('backend-failed', `${refused.reason.replace(/\.?$/, '.')} Running on ${engine.backend.backend} instead.`);
    this.restartLoop();
    this.recoverFromLoss(engine, generation);
  }

  /**
   * When the GPU context or device under `engine` is lost: report `backend-lost`, drop everything that
   * lived on it and load again (selectBackend builds a fresh context or device). No-op on CPU backends.
   */
  private recoverFromLoss(engine: Detector, generation: number): void {
    // In worker mode the loss happens in the Worker and crosses as the same typed error (docs/worker.md).
    if (!isGpuBackend(engine.backend.backend)) return;
    void engine.whenLost().then((error) => {
      if (!this.loader.isCurrent(generation) || this._engine !== engine || !this.isConnected) return;
      this.reportError(error.type, error.message);
      this._engine = null;
      try {
        this.replaceResult(null);
        engine.dispose();
      } catch {
        // Releasing resources of a dead context may throw; they are gone either way.
      }
      // A run in flight on the dead backend may never settle: do not wait for it.
      this.loop.invalidate();
      void this.load();
    });
  }

  /**
   * Pushes the per-frame options to the engine, the one validator: unset means the model's default; a
   * value it refuses is reported (once: it is reverted to the value in effect) and reverted.
   */
  private applyRunOptions(): void {
    const engine = this._engine;
    if (!engine) return;
    for (const name of ['scoreThreshold', 'maxDetections'] as const) {
      const value = this[name];
      try {
        engine.setOptions({ [name]: value ?? null });
        this.accepted[name] = value;
      } catch (error) {
        // The engine's message, with the attribute and the text it was given (NaN says little).
        const attribute = name === 'scoreThreshold' ? 'score-threshold' : 'max-detections';
        const given = this.getAttribute(attribute) ?? String(value);
        this[name] = this.accepted[name];
        this.reportError('bad-option', `${attribute}="${given}": ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const smallObjects: SmallObjectsAttributes = { smallObjects: this.smallObjects, scales: this.scales, tileOverlap: this.tileOverlap, budget: this.budget };
    try {
      engine.setOptions({ smallObjects: smallObjectsSetting(smallObjects) });
      this.accepted.smallObjects = smallObjects;
    } catch (error) {
      Object.assign(this, this.accepted.smallObjects);
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
    } else if (element instanceof HTMLImageElement) element.addEventListener('load', this.onSourceChanged);
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
    this.loop.stop();
    const source = this.frameSource;
    if (!source || !this._engine || this.idleReason !== null || !this.isConnected) return;
    this.loop.start(source);
  }

  /** Re-runs a source that will not produce frames by itself (image, canvas, paused video). */
  private refreshStatic(): void {
    const source = this.frameSource;
    if (!source || this.paused) return;
    if (source instanceof HTMLVideoElement && !source.paused && !source.ended) return;
    this.requestRun(source);
  }

  private requestRun(source: DetectorSource): void {
    if (this._engine && !this.paused) this.loop.request(source);
  }

  /** One detection of `source` (the frame loop's run): publishes the result, or reports its error once. */
  private async detectOnce(source: DetectorSource): Promise<void> {
    const engine = this._engine;
    if (!engine || !hasPixels(source)) return;
    const generation = this.loader.generation;
    const showing = mediaOf(source);
    // Capture the frame first and detect on the capture, so the two are the same picture.
    let frame: ImageBitmap | null = null;
    let copying = false;
    try {
      // A capture keeps the video's media time (for the tracker, and the overlay's prediction from it).
      const timestamp = source instanceof HTMLVideoElement ? source.currentTime * 1000 : undefined;
      if (this.frameConsumers.size > 0 && source instanceof HTMLVideoElement) {
        copying = true;
        frame = await captureFrame(source);
        copying = false;
      }
      const result = await engine.detect(frame ?? source, timestamp === undefined ? { maps: this.wantsMaps } : { maps: this.wantsMaps, timestamp });
      // Stale: a newer load, or the source went away (camera ended) or changed while the frame ran (a
      // Worker's round trip makes that window wider): its boxes belong to no picture shown any more.
      if (!this.loader.isCurrent(generation) || this.frameSource !== source) result.dispose();
      else {
        this.replaceFrame(frame);
        frame = null;
        this.publish(result);
      }
    } catch (error) {
      // A lost backend is reported (once) and recovered from by recoverFromLoss().
      if (!this.loader.isCurrent(generation) || (await isBackendLostSoon()) || !this.loader.isCurrent(generation)) return;
      // The video changed its media during the run (<loupe-camera> going from a clip to the camera): the
      // capture or the gate then finds no frame. Not an error: the next frame of the new media runs.
      // A media that fails to load is reported by <loupe-camera> itself.
      if (source instanceof HTMLVideoElement && (mediaOf(source) !== showing || !hasPixels(source))) return;
      // The copy can also fail once just after a change of media, on the new media's first frames
      // (seen in worker mode: 'The ImageBitmap could not be allocated'): the next frame tries again, and
      // a second failure in a row on the same media is reported.
      if (copying && this.copyFailedOn !== showing) {
        this.copyFailedOn = showing;
        return;
      }
      const type = error instanceof LoupeError ? error.type : 'bad-input';
      const message = error instanceof Error ? error.message : String(error);
      if (`${type}:${message}` === this.lastFrameError) return;
      this.lastFrameError = `${type}:${message}`;
      this.reportError(type, message);
    } finally {
      frame?.close();
    }
  }

  private publish(result: DetectionResult): void {
    this.replaceResult(result);
    this.lastFrameError = '';
    this.copyFailedOn = null;
    emit(this, 'loupe-detections', summarizeResult(result));
    for (const track of result.trackEvents?.started ?? []) emit(this, 'loupe-track-start', track);
    for (const track of result.trackEvents?.ended ?? []) emit(this, 'loupe-track-end', track);
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

function isFrameElement(element: Element | null): element is DetectorSource {
  return element instanceof HTMLVideoElement || element instanceof HTMLImageElement || element instanceof HTMLCanvasElement;
}

/** Whether `result` kept the model's maps (on this thread, or in Loupe's Worker). */
function hasMaps(result: DetectionResult): boolean {
  return result.maps !== undefined || result.workerMaps !== undefined;
}

function isSourceElement(element: Element): boolean {
  return element instanceof LoupeCamera || isFrameElement(element);
}

/** Whether a frame can be read now (a detect() on an empty element would only throw `bad-input`). */
/** A copy of the video's current frame (for the overlay), or a `bad-input` saying why there is none. */
async function captureFrame(video: HTMLVideoElement): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(video);
  } catch (error) {
    throw new LoupeError('bad-input', `Could not copy the current frame of the video: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** What a video is showing (its stream or its resolved URL), to tell a change of media mid-run. */
function mediaOf(source: DetectorSource): unknown {
  return source instanceof HTMLVideoElement ? (source.srcObject ?? source.currentSrc) : source;
}

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
