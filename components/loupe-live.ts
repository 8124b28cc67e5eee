/**
 * <loupe-live>: the whole instrument in one tag: camera → detector → overlay, with a control bar and
 * live stats. It holds the user-facing settings and passes them down; everything runs in the children.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import {
  DEFAULT_MODEL_ID,
  getModelInfo,
  type BackendName,
  type BackendPreference,
  type BackendReport,
  type DetectionSummary,
  detectionsToCoco,
  detectionsToJson,
  downloadBlob,
  type CocoResult,
  type DetectionsExport,
  type WorkerMode,
} from '../models/index.js';
import { LiveStats, SYNC_MODES, effectiveSync, type SyncMode } from './controllers/live-stats.js';
import { FilePass } from './controllers/file-pass.js';
import { LoadStatus, type Phase } from './controllers/load-status.js';
import { Playback } from './controllers/playback.js';
import { FileDrop } from './controllers/file-drop.js';
import { renderSourceControls } from './internal/source-controls.js';
import { emit, type LoupeEvent, type SourceKind } from './events.js';
import { FORWARDED_ATTRIBUTES, forward, propertiesOf, readBack, type ForwardTarget } from './internal/attributes.js';
import { renderExportField, renderFilePassField } from './internal/export-fields.js';
import { renderLoadCard, renderStatsPanel } from './internal/live-panels.js';
import { BACKEND_NAMES, renderLiveControls } from './internal/live-controls.js';
import type { FacingMode, LoupeCamera } from './loupe-camera.js';
import type { LoupeDetector } from './loupe-detector.js';
import { OVERLAY_EXPORT_PARTS } from './layers/index.js';
import type { LoupeOverlay } from './loupe-overlay.js';
import { liveStyles } from './loupe-live.styles.js';
import { DetectionAnnouncer } from './internal/announcer.js';
import { canvasToPng, drawSnapshot } from './internal/snapshot.js';

const BACKEND_COLORS: Record<BackendName, string> = {
  webgpu: '#b28cff',
  webgl: '#6cb6ff',
  wasm: '#ffb454',
  cpu: '#9597a6',
};


export type { SyncMode };

/** `eager`: start at once; `lazy`: start the camera and load the model when the element nears the viewport. */
export type LoadingMode = 'eager' | 'lazy';
/** `auto`: start by itself (see `loading`); `interaction`: start on a click of the start button. */
export type RevealMode = 'auto' | 'interaction';
/** How far outside the viewport a lazy element starts, so it is ready when scrolled in. */
const LAZY_MARGIN = '200px';
/** The live region says what is in view at most this often (and only when it changed). */
const ANNOUNCE_PERIOD_MS = 3000;
/** Forwarded properties `<loupe-live>` reflects, so pages and styles see what its controls changed. */
const REFLECTED = ['model', 'backend', 'scoreThreshold', 'layers', 'heatmapClass', 'level', 'smallObjects'];

/**
 * A camera (or clip) with live detections, a control bar and stats, in one tag.
 *
 * Takes the detector's attributes (`model`, `backend`, `score-threshold`, `max-detections`, and the
 * small-object mode's `small-objects`, `scales`, `tile-overlap`, `budget`), the
 * overlay's (`layers`, `heatmap-class`) and the camera's (`src`, `fallback-src`, `facing-mode`,
 * `device-id`), and applies changes at run time: a new model or backend loads without a page reload.
 * The controls change the same properties. The control bar can also pause the picture (`pause()`,
 * `resume()`) and open a picture or video file (`openFile()`; or drop one on the element); with two
 * cameras the camera's chips offer a picker and a flip button.
 *
 * @summary Camera + detector + overlay + controls + stats.
 *
 * @fires loupe-source-ready - From the inner camera.
 * @fires loupe-detections - From the inner detector.
 * @fires loupe-backend - From the inner detector.
 * @fires loupe-progress - From the inner detector.
 * @fires loupe-error - From the inner camera, detector or overlay.
 * @fires loupe-track-start - From the inner detector (with `track`).
 * @fires loupe-track-end - From the inner detector (with `track`).
 *
 * @slot poster - Shown on the stage until the first detections (and before the start with `loading="lazy"` or `reveal="interaction"`).
 * @slot progress-bar - Replaces the default progress bar of the loading card (listen to `loupe-progress` for the fraction).
 *
 * @csspart stage - The picture area (camera and overlay).
 * @csspart controls - The control bar.
 * @csspart stats - The stats line.
 * @csspart backend-badge - The backend pill on the stage.
 * @csspart poster - The poster area over the stage.
 * @csspart start-button - The button that starts camera and detector (`reveal="interaction"`).
 * @csspart progress-bar - The default progress bar.
 * @csspart export - The export buttons in the control bar.
 * @csspart file-pass - The control bar's *Whole file* field (a video file as `src`: `analyseFile()`).
 * @csspart file-pass-progress - Its progress bar while the pass runs.
 * @csspart source-controls - The Source group of the control bar (pause/resume, open a file).
 * @csspart drop-hint - What shows over the stage while a file is dragged over the element.
 * @csspart media - The video or image (from the inner camera).
 *
 * @cssprop --loupe-accent - Accent colour (progress, toggles, focus rings).
 * @cssprop --loupe-surface - Background of the bars.
 * @cssprop --loupe-line - Border colour.
 * @cssprop --loupe-max-height - Largest height of the stage (default `75vh`); wider frames letterbox.
 * @cssprop --loupe-radius - Corner radius.
 * @cssprop --loupe-font - UI font family.
 * @cssprop --loupe-mono - Font family of numbers.
 * @cssprop --loupe-text - Text colour.
 * @cssprop --loupe-muted - Colour of secondary text.
 * @cssprop --loupe-box-width - Box stroke width (default `2px`).
 * @cssprop --loupe-heatmap-opacity - Opacity of the heatmap layer (default `1`).
 * @cssprop --loupe-heatmap-filter - A CSS filter over the heatmap's colour map, e.g. `hue-rotate(180deg)` or `grayscale(1)` (default `none`).
 */
export class LoupeLive extends LitElement {
  static override styles = liveStyles;

  static override properties = {
    // The children's attributes, from the one shared table (components/internal/attributes.ts).
    ...propertiesOf(FORWARDED_ATTRIBUTES, REFLECTED),
    noControls: { type: Boolean, attribute: 'no-controls' },
    sync: { type: String, reflect: true },
    loading: { type: String, reflect: true },
    reveal: { type: String, reflect: true },
    label: { type: String },
    _started: { state: true },
    _announcement: { state: true },
    _aspect: { state: true },
    _sourceKind: { state: true },
  };

  declare model: string;
  declare backend: BackendPreference;
  /** Minimum score 0..1 (default 0.3); removed: the model's default. */
  declare scoreThreshold: number | undefined;
  declare maxDetections: number | undefined;
  /** Space-separated overlay layers: `boxes`, `heatmap`, `levels`, `offsets`, `tiles`, `tracks`. */
  declare layers: string;
  declare heatmapClass: string | undefined;
  /** Output level the maps show: a stride (`8`, `16`, `32`) or `all` (see `<loupe-overlay level>`). */
  declare level: string;
  /** Colour map of the heatmaps (see `<loupe-overlay colormap>`); unset: `--loupe-heatmap-colormap`, else inferno. */
  declare colormap: string | undefined;
  declare src: string | undefined;
  declare fallbackSrc: string | undefined;
  declare facingMode: FacingMode;
  declare deviceId: string | undefined;
  declare modelBaseUrl: string | undefined;
  declare wasmPaths: string | undefined;
  /** Rectangular model inputs where the model allows them (see `<loupe-detector rect-input>`). */
  declare rectInput: boolean;
  /** Multi-object tracking (see `<loupe-detector track>`). */
  declare track: boolean;
  /** Where the engine runs: absent (the default) or `auto`: Loupe's Worker where it can; `true`, `false` (see `<loupe-detector worker>`, docs/worker.md). */
  declare worker: WorkerMode | undefined;
  /** Hide the control bar (the stats line stays). */
  declare noControls: boolean;
  /**
   * What the overlay is drawn on: `frame` the analysed frame with its exact boxes; `live` the live video
   * with the latest boxes; `predict` the live video with tracked boxes moved to each displayed frame's
   * time (needs `track`); `auto` (default) predicts with `track`, else shows the analysed frame while
   * frames take over 250 ms and the live video below 120 ms.
   */
  declare sync: SyncMode;
  /** `eager` (default) or `lazy`: start camera and model only when the element nears the viewport. */
  declare loading: LoadingMode;
  /** `auto` (default) or `interaction`: start only when the start button is clicked (camera prompts follow a user gesture). */
  declare reveal: RevealMode;
  /** Accessible name of the picture area (like an `alt` text); default "Live object detection". */
  declare label: string | undefined;
  /** Small-object mode, as `<loupe-detector small-objects>`: present = on, `full` / `live` a preset. The controls' toggle sets `live`. */
  declare smallObjects: string | null | undefined;
  /** Small-object mode's zoom factors, as `<loupe-detector scales>`. */
  declare scales: string | undefined;
  /** Small-object mode's tile overlap, as `<loupe-detector tile-overlap>`. */
  declare tileOverlap: number | undefined;
  /** Small-object mode's passes per frame, as `<loupe-detector budget>`. */
  declare budget: number | undefined;
  declare private _started: boolean;
  declare private _announcement: string;
  declare private _aspect: number;
  declare private _sourceKind: SourceKind | null;

  private readonly stats = new LiveStats();
  /** The offline pass over the video file (`analyseFile()`). */
  private readonly filePass = new FilePass({
    requestUpdate: () => this.requestUpdate(),
    target: () => ({ detector: this.detector, video: this.camera?.source, modelBaseUrl: this.modelBaseUrl }),
    show: async (result) => {
      const overlay = this.overlay;
      if (!overlay) return;
      overlay.result = result;
      await overlay.updateComplete;
    },
    reportError: (detail) => emit(this, 'loupe-error', detail),
  });
  private readonly load = new LoadStatus();
  private readonly playback = new Playback({ requestUpdate: () => this.requestUpdate(), detectCurrentFrame: () => this.detector?.refresh() });
  private readonly fileDrop = new FileDrop({ requestUpdate: () => this.requestUpdate(), openFile: (file) => void this.openFile(file) });
  /** The children the forwarded properties were last pushed to (new children get all of them). */
  private forwardedTo = new WeakSet<Element>();

  constructor() {
    super();
    this.model = DEFAULT_MODEL_ID;
    this.backend = 'auto';
    this.scoreThreshold = 0.3;
    this.maxDetections = undefined;
    this.layers = 'boxes';
    this.heatmapClass = undefined;
    this.level = 'all';
    this.colormap = undefined;
    this.src = undefined;
    this.fallbackSrc = undefined;
    this.facingMode = 'environment';
    this.deviceId = undefined;
    this.modelBaseUrl = undefined;
    this.wasmPaths = undefined;
    this.rectInput = false;
    this.track = false;
    this.worker = undefined;
    this.noControls = false;
    this.sync = 'auto';
    this.loading = 'eager';
    this.reveal = 'auto';
    this.label = undefined;
    this.smallObjects = undefined;
    this.scales = undefined;
    this.tileOverlap = undefined;
    this.budget = undefined;
    this._started = false;
    this._announcement = '';
    this._aspect = 16 / 9;
    this._sourceKind = null;
  }

  /** The inner detector element (for its `.result`, `.engine`, `.status`). */
  get detector(): LoupeDetector | null {
    return this.renderRoot.querySelector('loupe-detector');
  }

  /** The inner camera element. */
  get camera(): LoupeCamera | null {
    return this.renderRoot.querySelector('loupe-camera');
  }

  /** The inner overlay element. */
  get overlay(): LoupeOverlay | null {
    return this.renderRoot.querySelector('loupe-overlay');
  }

  /**
   * `loading`, `compiling` (WebGL/WebGPU: the model's shaders compile before its first frame), `warming`
   * (loaded, first frame pending), `running` or `failed`; also the `status` attribute.
   */
  get status(): Phase | 'idle' {
    return this._started ? this.load.phase : 'idle';
  }

  /** Whether camera and detector have started (see `loading`, `reveal` and `start()`). */
  get started(): boolean {
    return this._started;
  }

  /** The latest detections as sent in `loupe-detections`, or null before the first frame. */
  get lastResult(): DetectionSummary | null {
    return this.latest;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this._started && this.reveal !== 'interaction' && this.loading !== 'lazy') this._started = true;
    // The stats describe one model on one backend: start them again when either changes.
    if (changed.has('model') || changed.has('backend')) this.stats.reset();
    if (changed.has('sync')) {
      if (!SYNC_MODES.includes(this.sync)) {
        const message = `sync must be one of ${SYNC_MODES.join(', ')}; got '${this.sync}'.`;
        this.sync = changed.get('sync') ?? 'auto';
        emit(this, 'loupe-error', { type: 'bad-option', message });
      }
    }
    if (changed.has('sync') || changed.has('track')) this.stats.updateHold(this.syncMode);
  }

  /** `sync` as it applies now (`auto` predicts with tracking). */
  private get syncMode(): SyncMode {
    return effectiveSync(this.sync, this.track);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.getAttribute('status') !== this.status) this.setAttribute('status', this.status);
    this.syncViewportWatch();
    this.forwardToChildren(changed);
  }

  /** Pushes the forwarded properties that changed (all of them to children not seen before). */
  private forwardToChildren(changed: PropertyValues<this>): void {
    for (const [target, child] of this.children3()) {
      if (!child) continue;
      const fresh = !this.forwardedTo.has(child);
      this.forwardedTo.add(child);
      forward(this, child, target, fresh ? null : changed);
    }
    const overlay = this.overlay;
    if (overlay && overlay.showFrame !== this.stats.holdFrame) overlay.showFrame = this.stats.holdFrame;
    const predict = this.syncMode === 'predict';
    if (overlay && overlay.predict !== predict) overlay.predict = predict;
  }

  private children3(): [ForwardTarget, Element | null][] {
    return [
      ['detector', this.detector],
      ['camera', this.camera],
      ['overlay', this.overlay],
    ];
  }

  // ── Events from the children ─────────────────────────────────────────────

  private onProgress(event: LoupeEvent<'loupe-progress'>): void {
    this.load.progress(event.detail);
    this.requestUpdate();
  }

  private onBackend(event: LoupeEvent<'loupe-backend'>): void {
    this.load.backend(event.detail);
    this.requestUpdate();
  }

  private onDetections(event: LoupeEvent<'loupe-detections'>): void {
    this.load.detections();
    const { timings, detections } = event.detail;
    const now = performance.now();
    this.stats.add(timings, detections.length, now, this.syncMode);
    this.latest = event.detail;
    const announcement = this.announcer.next(detections.map((d) => d.label), now);
    if (announcement !== null) this._announcement = announcement;
    this.requestUpdate();
  }

  private onError(event: LoupeEvent<'loupe-error'>): void {
    const target = this.children3().find(([, child]) => child !== null && child === event.target)?.[0];
    if (!target) return;
    // A child refused a value and kept its previous one: show that one here too.
    if (event.detail.type === 'bad-option') readBack(this, event.target as Element, target);
    const detector = this.detector;
    this.load.error(
      event.detail,
      target === 'detector' && detector ? { from: 'detector', detectorReady: detector.status === 'ready', detectorFailed: detector.status === 'error' } : { from: target === 'camera' ? 'camera' : 'overlay' },
    );
    this.requestUpdate();
  }

  private onSourceReady(event: LoupeEvent<'loupe-source-ready'>): void {
    const { width, height, kind } = event.detail;
    this.load.sourceReady();
    if (width > 0 && height > 0) this._aspect = width / height;
    this._sourceKind = kind;
    this.playback.follow(event.detail.source instanceof HTMLVideoElement ? event.detail.source : null);
    // Frame rates of the previous source mean nothing for this one.
    this.stats.reset();
    this.requestUpdate();
  }

  // ── Rendering ────────────────────────────────────────────────────────────

  protected override render() {
    return html`
      <div class="stage" part="stage" role="group" aria-label=${this.label ?? 'Live object detection'} style=${styleMap({ aspectRatio: String(this._aspect) })}>
        ${this._started ? this.renderPipeline() : nothing} ${this.renderPoster()}
        ${this._started ? html`${this.renderHud()} ${renderLoadCard(this.load, getModelInfo(this.model)?.title ?? this.model, this.detector?.status === 'ready')}` : nothing}
        ${this.fileDrop.dragging ? html`<div class="drop-hint" part="drop-hint">Drop a picture or a video to detect on it</div>` : nothing}
        <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this._announcement}</div>
      </div>
      ${this.noControls ? nothing : this.renderControls()} ${renderStatsPanel(
        this.stats.displayed,
        this.load.report,
        this._sourceKind === 'image',
        this.stats.holdFrame ? 'analysed frame' : this.syncMode === 'predict' ? 'live video, tracked boxes predicted' : 'live video',
      )}
    `;
  }

  // The children's properties are pushed from the shared table in updated(), not bound here.
  private renderPipeline() {
    return html`
      <loupe-detector @loupe-progress=${this.onProgress} @loupe-backend=${this.onBackend} @loupe-detections=${this.onDetections} @loupe-error=${this.onError}>
        <loupe-camera @loupe-source-ready=${this.onSourceReady} exportparts="media, message, notice, device-picker"></loupe-camera>
        <loupe-overlay exportparts=${OVERLAY_EXPORT_PARTS}></loupe-overlay>
      </loupe-detector>
    `;
  }

  private renderHud() {
    const report = this.load.report;
    const stats = this.stats.displayed;
    // The backend asked for explicitly could not start: say so on the badge, not only in the details.
    const refused = report?.skipped[0]?.backend === this.backend ? report.skipped[0] : undefined;
    return html`
      <div class="hud">
        ${report
          ? html`
              <span
                class="pill badge"
                part="backend-badge"
                style=${styleMap({ '--backend-color': BACKEND_COLORS[report.backend] })}
                title=${backendTooltip(report)}
              >
                <span class="dot"></span><b>${BACKEND_NAMES[report.backend]}</b>
                ${refused
                  ? html`<span class="note">${BACKEND_NAMES[refused.backend]} unavailable</span>`
                  : html`<span class="device">${report.device}</span>`}
              </span>
            `
          : html`<span></span>`}
        ${this.playback.paused
          ? html`<span class="pill paused">Paused</span>`
          : stats && this.load.phase === 'running' && this._sourceKind !== 'image'
            ? html`<span class="pill fps" aria-label="Frames per second"><b>${stats.fps.toFixed(1)}</b> fps</span>`
            : nothing}
      </div>
    `;
  }

  private renderControls() {
    const engine = this.detector;
    return renderLiveControls({
      model: this.model,
      backend: this.backend,
      scoreThreshold: this.effectiveScoreThreshold,
      layers: this.layers,
      track: this.track,
      smallObjects: this.smallObjects,
      scales: this.scales,
      heatmapClass: this.heatmapClass,
      level: this.level,
      labels: engine?.labels.length ? engine.labels : (getModelInfo(this.model)?.labels ?? []),
      levels: getModelInfo(this.model)?.levels ?? engine?.result?.levels ?? [],
      set: (patch) => Object.assign(this, patch),
      sourceButtons: renderSourceControls({
        canPause: this.playback.available,
        paused: this.playback.paused,
        togglePause: () => this.playback.toggle(),
        openFile: (file) => void this.openFile(file),
      }),
      exportButtons: html`${renderFilePassField(this.filePass)}${renderExportField({
        ready: !!this.latest,
        detections: (format) => this.downloadDetections(format),
        snapshot: () => void this.downloadSnapshot(),
      })}`,
    });
  }

  /** The threshold in effect: the attribute's, else the loaded model's default (the attribute removed). */
  private get effectiveScoreThreshold(): number | undefined {
    return this.scoreThreshold ?? this.detector?.engine?.runOptions.scoreThreshold;
  }

  // ── Embedding: start, poster, export, announcements (issue 7) ─────────────

  private latest: DetectionSummary | null = null;
  private readonly announcer = new DetectionAnnouncer(ANNOUNCE_PERIOD_MS);
  private viewportObserver: IntersectionObserver | null = null;

  /**
   * Starts camera and detector now, whatever `loading` and `reveal` say (what the start button does).
   * Call it from a user gesture when the page wants the camera prompt to follow one.
   */
  start(): void {
    this._started = true;
  }

  /** Whether the picture is paused (see `pause()`). */
  get paused(): boolean {
    return this.playback.paused;
  }

  /** Stops the video on the frame it shows and detects on exactly that frame; nothing runs until `resume()`. */
  pause(): void {
    this.playback.pause();
  }

  /** Plays the video again after `pause()`; detection goes on with its frames. */
  resume(): void {
    this.playback.resume();
  }

  /**
   * Detects on a picture or video file (a `File` from an input or a drop) instead of the camera or
   * `src`, until `src` changes or the camera is asked for again. Another file is refused as `bad-input`.
   */
  async openFile(file: File): Promise<void> {
    this.start();
    await this.updateComplete;
    await this.camera?.openFile(file);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.fileDrop.attach(this);
  }

  /** The latest detections as Loupe's JSON (`format: 'json'`) or COCO results (`'coco'`); null before the first frame. */
  exportDetections(format: 'json'): DetectionsExport | null;
  exportDetections(format: 'coco'): CocoResult[] | null;
  exportDetections(format: 'json' | 'coco' = 'json'): DetectionsExport | CocoResult[] | null {
    if (!this.latest) return null;
    return format === 'coco' ? detectionsToCoco(this.latest) : detectionsToJson(this.latest);
  }

  /** Downloads the latest detections as `loupe-detections.json` or `loupe-detections.coco.json`. */
  downloadDetections(format: 'json' | 'coco' = 'json'): void {
    const data = format === 'coco' ? this.exportDetections('coco') : this.exportDetections('json');
    if (!data) return;
    const name = format === 'coco' ? 'loupe-detections.coco.json' : 'loupe-detections.json';
    downloadBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), name);
  }

  /**
   * A PNG of the frame with the latest detections drawn on it, at the frame's size: the analysed frame
   * when the overlay shows it (`sync`), else the live picture. Null before the first frame.
   */
  async snapshot(): Promise<Blob | null> {
    const result = this.latest;
    const picture = this.detector?.lastFrame ?? this.camera?.source ?? null;
    if (!result || !picture) return null;
    const { sourceWidth: width, sourceHeight: height } = result.letterbox;
    const font = getComputedStyle(this).getPropertyValue('--loupe-font').trim() || undefined;
    const heatmap = this.renderRoot.querySelector('loupe-overlay')?.heatmapImage ?? null;
    return canvasToPng(drawSnapshot({ picture, width, height, detections: result.detections, font, heatmap }));
  }

  /**
   * Detects and tracks every frame of the video file in order (the offline pass: frame-exact, however slow
   * the model), showing each on the overlay; `fps` is the file's frame rate (default 30). The live loop
   * pauses meanwhile. Ends done or cancelled (`cancelFileAnalysis()`); a failure is a `loupe-error`.
   * The tracks are then in `exportTracks()`.
   */
  async analyseFile(options: { fps?: number } = {}): Promise<void> {
    await this.filePass.analyse(options.fps ?? 30);
  }

  /** Ends a running `analyseFile()` after its current frame. */
  cancelFileAnalysis(): void {
    this.filePass.cancel();
  }

  /** The tracks of the last `analyseFile()` (the frames it did), as MOTChallenge text or Loupe's JSON. */
  exportTracks(format: 'mot' | 'json' = 'mot'): string {
    return format === 'mot' ? this.filePass.mot() : JSON.stringify(this.filePass.json(), null, 2);
  }

  /** Downloads the snapshot as `loupe-snapshot.png`. */
  async downloadSnapshot(): Promise<void> {
    const blob = await this.snapshot();
    if (blob) downloadBlob(blob, 'loupe-snapshot.png');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.filePass.cancel();
    this.fileDrop.detach();
    this.viewportObserver?.disconnect();
    this.viewportObserver = null;
  }

  /** `loading="lazy"`: start once the element comes within LAZY_MARGIN of the viewport. */
  private syncViewportWatch(): void {
    const wanted = !this._started && this.reveal !== 'interaction' && this.loading === 'lazy' && typeof IntersectionObserver !== 'undefined';
    if (!wanted) {
      this.viewportObserver?.disconnect();
      this.viewportObserver = null;
      return;
    }
    if (this.viewportObserver) return;
    this.viewportObserver = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.start();
      },
      { rootMargin: LAZY_MARGIN },
    );
    this.viewportObserver.observe(this);
  }

  private renderPoster() {
    // The poster stays until the first detections; the start button until the start.
    const waiting = !this._started && this.reveal === 'interaction';
    // (Not over the camera's own message: its buttons are the way out.)
    const showPoster = (!this._started || this.load.phase !== 'running') && !this.load.sourceFailed;
    return html`
      <div class="poster" part="poster" ?hidden=${!showPoster}>
        <slot name="poster"></slot>
        ${waiting
          ? html`<button type="button" class="start" part="start-button" @click=${this.start}>
              <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14l11-7z" fill="currentColor" /></svg>
              Start camera and detector
            </button>`
          : nothing}
      </div>
    `;
  }

}

function backendTooltip(report: BackendReport): string {
  const lines = [`${BACKEND_NAMES[report.backend]} on ${report.device}`];
  for (const skip of report.skipped) lines.push(`${BACKEND_NAMES[skip.backend]} skipped: ${skip.reason}`);
  return lines.join('\n');
}

declare global {
  interface HTMLElementTagNameMap {
    'loupe-live': LoupeLive;
  }
}
