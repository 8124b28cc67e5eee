/**
 * <loupe-live>: the whole instrument in one tag: camera → detector → overlay, with a control bar and
 * live stats. It holds the user-facing settings and passes them down; everything runs in the children.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import {
  DEFAULT_MODEL_ID,
  getModelIds,
  getModelInfo,
  type BackendName,
  type BackendPreference,
  type BackendReport,
  type DetectionSummary,
  type StageTimings,
  detectionsToCoco,
  detectionsToJson,
  downloadBlob,
  type CocoResult,
  type DetectionsExport,
} from '../models/index.js';
import { emit, type ErrorDetail, type LoupeEvent, type SourceKind } from './events.js';
import type { FacingMode, LoupeCamera } from './loupe-camera.js';
import { BACKEND_PREFERENCES, type LoupeDetector } from './loupe-detector.js';
import { OVERLAY_LAYERS, type LoupeOverlay, type OverlayLayer } from './loupe-overlay.js';
import { liveStyles } from './loupe-live.styles.js';
import { smallObjectsOn } from './internal/small-objects-attributes.js';
import { DetectionAnnouncer } from './internal/announcer.js';
import { canvasToPng, drawSnapshot } from './internal/snapshot.js';

const BACKEND_NAMES: Record<BackendPreference, string> = {
  auto: 'Auto',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

const BACKEND_COLORS: Record<BackendName, string> = {
  webgpu: '#b28cff',
  webgl: '#6cb6ff',
  wasm: '#ffb454',
  cpu: '#9597a6',
};

const LAYER_NAMES: Record<OverlayLayer, string> = { boxes: 'Boxes', heatmap: 'Heatmap', levels: 'Levels', offsets: 'Offsets', tiles: 'Tiles' };

/** Numbers that change every frame are unreadable: the stats line refreshes at this period. */
const STATS_PERIOD_MS = 250;
/** Weight of the newest frame in the moving averages. */
const SMOOTHING = 0.2;

/** How the picture under the overlay relates to the live video. */
export type SyncMode = 'auto' | 'frame' | 'live';
const SYNC_MODES: readonly SyncMode[] = ['auto', 'frame', 'live'];

/** `eager`: start at once; `lazy`: start the camera and load the model when the element nears the viewport. */
export type LoadingMode = 'eager' | 'lazy';
/** `auto`: start by itself (see `loading`); `interaction`: start on a click of the start button. */
export type RevealMode = 'auto' | 'interaction';
/** How far outside the viewport a lazy element starts, so it is ready when scrolled in. */
const LAZY_MARGIN = '200px';
/** The live region says what is in view at most this often (and only when it changed). */
const ANNOUNCE_PERIOD_MS = 3000;
/**
 * `auto` shows the analysed frame once frames take longer than this (the live video would visibly run
 * ahead of its boxes), and the live video again below the lower bound (hysteresis: no flicker).
 */
const HOLD_ABOVE_MS = 250;
const RELEASE_BELOW_MS = 120;

interface Stats {
  fps: number;
  timings: StageTimings;
  count: number;
}

type Phase = 'loading' | 'compiling' | 'warming' | 'running' | 'failed';

/**
 * A camera (or clip) with live detections, a control bar and stats, in one tag.
 *
 * Takes the detector's attributes (`model`, `backend`, `score-threshold`, `max-detections`, and the
 * small-object mode's `small-objects`, `scales`, `tile-overlap`, `budget`), the
 * overlay's (`layers`, `heatmap-class`) and the camera's (`src`, `fallback-src`, `facing-mode`,
 * `device-id`), and applies changes at run time: a new model or backend loads without a page reload.
 * The controls change the same properties.
 *
 * @summary Camera + detector + overlay + controls + stats.
 *
 * @fires loupe-source-ready - From the inner camera.
 * @fires loupe-detections - From the inner detector.
 * @fires loupe-backend - From the inner detector.
 * @fires loupe-progress - From the inner detector.
 * @fires loupe-error - From the inner camera, detector or overlay.
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
 * @csspart box - A detection's box (from the inner overlay; its class colour is `--c`).
 * @csspart label - A box's label.
 * @csspart heatmap - The heatmap layer.
 * @csspart legend - The heatmap's colour bar.
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
    model: { type: String, reflect: true },
    backend: { type: String, reflect: true },
    scoreThreshold: { type: Number, attribute: 'score-threshold', reflect: true },
    maxDetections: { type: Number, attribute: 'max-detections' },
    layers: { type: String, reflect: true },
    heatmapClass: { type: String, attribute: 'heatmap-class', reflect: true },
    level: { type: String, reflect: true },
    colormap: { type: String },
    src: { type: String },
    fallbackSrc: { type: String, attribute: 'fallback-src' },
    facingMode: { type: String, attribute: 'facing-mode' },
    deviceId: { type: String, attribute: 'device-id' },
    modelBaseUrl: { type: String, attribute: 'model-base-url' },
    wasmPaths: { type: String, attribute: 'wasm-paths' },
    rectInput: { type: Boolean, attribute: 'rect-input' },
    noControls: { type: Boolean, attribute: 'no-controls' },
    sync: { type: String, reflect: true },
    loading: { type: String, reflect: true },
    reveal: { type: String, reflect: true },
    label: { type: String },
    smallObjects: { type: String, attribute: 'small-objects', reflect: true },
    scales: { type: String },
    tileOverlap: { type: Number, attribute: 'tile-overlap' },
    budget: { type: Number },
    _started: { state: true },
    _announcement: { state: true },
    _holdFrame: { state: true },
    _phase: { state: true },
    _fraction: { state: true },
    _compiled: { state: true },
    _report: { state: true },
    _stats: { state: true },
    _aspect: { state: true },
    _failure: { state: true },
    _notice: { state: true },
    _sourceFailed: { state: true },
    _sourceKind: { state: true },
  };

  declare model: string;
  declare backend: BackendPreference;
  declare scoreThreshold: number;
  declare maxDetections: number | undefined;
  /** Space-separated overlay layers: `boxes`, `heatmap`, `levels`, `offsets`, `tiles`. */
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
  /** Hide the control bar (the stats line stays). */
  declare noControls: boolean;
  /** `auto`, `frame` or `live`: what the overlay is drawn on (see the class docs). */
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
  /** Whether the overlay currently shows the analysed frame. */
  declare private _holdFrame: boolean;

  declare private _phase: Phase;
  declare private _fraction: number | null;
  /** Fraction of the shaders compiled at load (phase `compiling`); null when the load compiled none. */
  declare private _compiled: number | null;
  declare private _report: BackendReport | null;
  declare private _stats: Stats | null;
  declare private _aspect: number;
  declare private _failure: ErrorDetail | null;
  /** A failure recovered from by itself (a lost GPU context): shown until frames run again. */
  declare private _notice: ErrorDetail | null;
  /** The camera or clip failed and shows its own message (with its way out): no card over it. */
  declare private _sourceFailed: boolean;
  declare private _sourceKind: SourceKind | null;

  private average: Stats | null = null;
  private lastFrameAt = 0;
  private lastStatsAt = 0;

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
    this._holdFrame = false;
    this._phase = 'loading';
    this._fraction = null;
    this._compiled = null;
    this._report = null;
    this._stats = null;
    this._aspect = 16 / 9;
    this._failure = null;
    this._notice = null;
    this._sourceFailed = false;
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
    return this._started ? this._phase : 'idle';
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
    if (changed.has('model') || changed.has('backend')) this.resetStats();
    if (changed.has('sync')) {
      if (!SYNC_MODES.includes(this.sync)) {
        const message = `sync must be one of ${SYNC_MODES.join(', ')}; got '${this.sync}'.`;
        this.sync = changed.get('sync') ?? 'auto';
        emit(this, 'loupe-error', { type: 'bad-option', message });
      }
      this.updateHold(this.average?.timings.total ?? 0);
    }
  }

  protected override updated(): void {
    if (this.getAttribute('status') !== this.status) this.setAttribute('status', this.status);
    this.syncViewportWatch();
  }

  // ── Events from the children ─────────────────────────────────────────────

  private onProgress(event: LoupeEvent<'loupe-progress'>): void {
    const { fraction, phase, compiled } = event.detail;
    if (fraction === 0 && phase !== 'compile') {
      this._phase = 'loading';
      this._failure = null;
      this._report = null;
      this._compiled = null;
    }
    if (phase === 'compile') {
      this._phase = 'compiling';
      this._compiled = compiled ?? 0;
    }
    this._fraction = fraction;
  }

  private onBackend(event: LoupeEvent<'loupe-backend'>): void {
    this._report = event.detail;
    // The first frame can take longer than the rest (without a warm-up at load, it compiles the kernels).
    this._phase = 'warming';
  }

  private onDetections(event: LoupeEvent<'loupe-detections'>): void {
    this._phase = 'running';
    this._failure = null;
    this._notice = null;
    const { timings, detections } = event.detail;
    const now = performance.now();
    const interval = this.lastFrameAt ? now - this.lastFrameAt : 0;
    this.lastFrameAt = now;
    const previous = this.average;
    const blend = (a: number, b: number) => (previous ? a + (b - a) * SMOOTHING : b);
    this.average = {
      fps: interval > 0 ? blend(previous?.fps || 1000 / interval, 1000 / interval) : previous?.fps ?? 0,
      timings: {
        preprocess: blend(previous?.timings.preprocess ?? 0, timings.preprocess),
        infer: blend(previous?.timings.infer ?? 0, timings.infer),
        decode: blend(previous?.timings.decode ?? 0, timings.decode),
        total: blend(previous?.timings.total ?? 0, timings.total),
      },
      count: detections.length,
    };
    this.updateHold(this.average.timings.total);
    this.latest = event.detail;
    const announcement = this.announcer.next(detections.map((d) => d.label), now);
    if (announcement !== null) this._announcement = announcement;
    if (now - this.lastStatsAt >= STATS_PERIOD_MS || !this._stats) {
      this.lastStatsAt = now;
      this._stats = this.average;
    }
  }

  private updateHold(totalMs: number): void {
    const mode = SYNC_MODES.includes(this.sync) ? this.sync : 'auto';
    if (mode !== 'auto') this._holdFrame = mode === 'frame';
    else if (totalMs > HOLD_ABOVE_MS) this._holdFrame = true;
    else if (totalMs < RELEASE_BELOW_MS) this._holdFrame = false;
  }

  private onError(event: LoupeEvent<'loupe-error'>): void {
    if (event.detail.type === 'bad-option') {
      // A child refused a value and kept its previous one: show that one here too.
      const camera = this.camera;
      const overlay = this.overlay;
      if (event.target === overlay && overlay) this.layers = overlay.layers;
      if (event.target === camera && camera) {
        this.facingMode = camera.facingMode;
      }
    } else if (event.target === this.camera) this._sourceFailed = true;
    const detector = this.detector;
    if (event.target === detector && detector) {
      if (event.detail.type === 'bad-option') {
        // The detector kept its previous value: show that value in the controls again.
        this.model = detector.model;
        this.backend = detector.backend;
        if (detector.scoreThreshold != null) this.scoreThreshold = detector.scoreThreshold;
        this.maxDetections = detector.maxDetections;
      } else if (event.detail.type === 'backend-lost' || (event.detail.type === 'backend-failed' && detector.status === 'ready' && this._phase !== 'running')) {
        // The detector goes on by itself (a fresh context or device, or the next backend): say why.
        this._notice = event.detail;
      } else if (detector.status === 'error' || this._phase !== 'running') {
        // A failed load, or frames failing before any succeeded: nothing else on screen says why.
        this._phase = 'failed';
        this._failure = event.detail;
      }
    }
  }

  private onSourceReady(event: LoupeEvent<'loupe-source-ready'>): void {
    const { width, height, kind } = event.detail;
    this._sourceFailed = false;
    if (width > 0 && height > 0) this._aspect = width / height;
    this._sourceKind = kind;
    // Frame rates of the previous source mean nothing for this one.
    this.resetStats();
  }

  private resetStats(): void {
    this.average = null;
    this._stats = null;
    this.lastFrameAt = 0;
  }

  // ── Controls ─────────────────────────────────────────────────────────────

  private toggleLayer(layer: OverlayLayer): void {
    const active = new Set(this.layers.split(/[\s,]+/).filter(Boolean));
    if (active.has(layer)) active.delete(layer);
    else active.add(layer);
    this.layers = OVERLAY_LAYERS.filter((name) => active.has(name)).join(' ');
  }

  private get activeLayers(): Set<string> {
    return new Set(this.layers.split(/[\s,]+/));
  }

  // ── Rendering ────────────────────────────────────────────────────────────

  protected override render() {
    return html`
      <div class="stage" part="stage" role="group" aria-label=${this.label ?? 'Live object detection'} style=${styleMap({ aspectRatio: String(this._aspect) })}>
        ${this._started ? this.renderPipeline() : nothing} ${this.renderPoster()}
        ${this._started ? html`${this.renderHud()} ${this.renderCard()}` : nothing}
        <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this._announcement}</div>
      </div>
      ${this.noControls ? nothing : this.renderControls()} ${this.renderStats()}
    `;
  }

  private renderPipeline() {
    return html`
        <loupe-detector
          .model=${this.model}
          .backend=${this.backend}
          .scoreThreshold=${this.scoreThreshold}
          .maxDetections=${this.maxDetections}
          .smallObjects=${this.smallObjects}
          .scales=${this.scales}
          .tileOverlap=${this.tileOverlap}
          .budget=${this.budget}
          .modelBaseUrl=${this.modelBaseUrl}
          .wasmPaths=${this.wasmPaths}
          .rectInput=${this.rectInput}
          @loupe-progress=${this.onProgress}
          @loupe-backend=${this.onBackend}
          @loupe-detections=${this.onDetections}
          @loupe-error=${this.onError}
        >
          <loupe-camera
            .src=${this.src}
            .fallbackSrc=${this.fallbackSrc}
            .facingMode=${this.facingMode}
            .deviceId=${this.deviceId}
            @loupe-source-ready=${this.onSourceReady}
            exportparts="media, message, notice, device-picker"
          ></loupe-camera>
          <loupe-overlay
            .layers=${this.layers}
            .heatmapClass=${this.heatmapClass}
            .level=${this.level}
            .colormap=${this.colormap}
            .showFrame=${this._holdFrame}
            exportparts="box, label, heatmap, legend, frame, level-legend, panels, offsets, inspector"
          ></loupe-overlay>
        </loupe-detector>
    `;
  }

  private renderHud() {
    const report = this._report;
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
        ${this._stats && this._phase === 'running' && this._sourceKind !== 'image'
          ? html`<span class="pill fps" aria-label="Frames per second"><b>${this._stats.fps.toFixed(1)}</b> fps</span>`
          : nothing}
      </div>
    `;
  }

  private renderCard() {
    if (this._phase === 'failed' && this._failure) {
      const loaded = this.detector?.status === 'ready';
      return html`
        <div class="card error" role="alert">
          <h3>${loaded ? 'Detection failed' : 'The model could not start'}</h3>
          <p>${this._failure.message}</p>
        </div>
      `;
    }
    // The camera's own message and buttons are on screen: a loading card would cover them.
    if (this._phase === 'running' || this._sourceFailed) return nothing;
    const title = getModelInfo(this.model)?.title ?? this.model;
    const compiling = this._phase === 'compiling';
    // A determinate bar while the weights download, or while shaders compile where the backend says how far.
    const measured = compiling ? this._compiled !== null && this._compiled > 0 && this._compiled < 1 : this._phase === 'loading' && this._fraction !== null && this._fraction < 1;
    const percent = Math.round(((compiling ? this._compiled : this._fraction) ?? 0) * 100);
    const backendName = this._report ? BACKEND_NAMES[this._report.backend] : 'the backend';
    const label = compiling
      ? `Compiling shaders…${measured ? ` ${percent}%` : ''}`
      : this._phase === 'warming'
        ? this._compiled !== null
          ? `Running the first frame on ${backendName}…`
          : `Warming up on ${backendName}: the first frame compiles its kernels.`
        : measured
          ? `Downloading weights… ${percent}%`
          : 'Choosing a backend…';
    return html`
      <div class="card" role="status">
        <h3>Loading ${title}</h3>
        <slot name="progress-bar">
        <div
          class="progress ${measured ? '' : 'indeterminate'}"
          part="progress-bar"
          role="progressbar"
          aria-label="Model loading"
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${measured ? percent : nothing}
        >
          <span style=${styleMap(measured ? { width: `${percent}%` } : {})}></span>
        </div>
        </slot>
        <p>${label}</p>
        ${this._notice ? html`<p class="notice" role="alert">${this._notice.message}</p>` : nothing}
      </div>
    `;
  }

  private renderControls() {
    // A model loaded from a URL (`ultralytics:…`) is not in the registry: list it too, with what it reports.
    const modelIds = getModelIds().includes(this.model) ? getModelIds() : [...getModelIds(), this.model];
    const layers = this.activeLayers;
    const engine = this.detector;
    const labels = engine?.labels.length ? engine.labels : (getModelInfo(this.model)?.labels ?? []);
    const levels = getModelInfo(this.model)?.levels ?? engine?.result?.levels ?? [];
    const strides = levels.map((level) => level.stride);
    return html`
      <div class="controls" part="controls">
        <label class="field">
          <span class="name">Model</span>
          <select @change=${(e: Event) => (this.model = (e.target as HTMLSelectElement).value)}>
            ${modelIds.map((id) => html`<option value=${id} ?selected=${id === this.model}>${getModelInfo(id)?.title ?? id}</option>`)}
          </select>
        </label>
        <label class="field">
          <span class="name">Backend</span>
          <select @change=${(e: Event) => (this.backend = (e.target as HTMLSelectElement).value as BackendPreference)}>
            ${BACKEND_PREFERENCES.map((name) => html`<option value=${name} ?selected=${name === this.backend}>${BACKEND_NAMES[name]}</option>`)}
          </select>
        </label>
        <label class="field">
          <span class="name">Threshold</span>
          <input
            type="range"
            min="0.05"
            max="0.95"
            step="0.05"
            .value=${String(this.scoreThreshold)}
            @input=${(e: Event) => (this.scoreThreshold = Number((e.target as HTMLInputElement).value))}
          />
          <output>${this.scoreThreshold.toFixed(2)}</output>
        </label>
        <div class="field" role="group" aria-label="Overlay layers">
          <span class="name">Layers</span>
          <span class="toggles">
            ${OVERLAY_LAYERS.map(
              (layer) => html`
                <button type="button" aria-pressed=${layers.has(layer) ? 'true' : 'false'} @click=${() => this.toggleLayer(layer)}>
                  ${LAYER_NAMES[layer]}
                </button>
              `,
            )}
          </span>
        </div>
        <div class="field" role="group" aria-label="Small-object mode">
          <span class="name">Small objects</span>
          <span class="toggles">
            <button
              type="button"
              title="Image pyramid and tiles (at most 4 model passes a frame unless a budget or preset says otherwise)"
              aria-label="Small-object mode"
              aria-pressed=${smallObjectsOn(this.smallObjects) ? 'true' : 'false'}
              @click=${() => (this.smallObjects = smallObjectsOn(this.smallObjects) ? null : 'live')}
            >
              Pyramid ×${this.scales?.trim() || '2'}
            </button>
          </span>
        </div>
        ${layers.has('heatmap')
          ? html`
              <label class="field">
                <span class="name">Heatmap of</span>
                <select @change=${(e: Event) => (this.heatmapClass = (e.target as HTMLSelectElement).value || undefined)}>
                  <option value="" ?selected=${!this.heatmapClass}>All classes (max)</option>
                  ${labels.map((label) => html`<option value=${label} ?selected=${label === this.heatmapClass}>${label}</option>`)}
                </select>
              </label>
            `
          : nothing}
        ${(layers.has('heatmap') || layers.has('levels')) && strides.length > 1
          ? html`
              <label class="field">
                <span class="name">Level</span>
                <select @change=${(e: Event) => (this.level = (e.target as HTMLSelectElement).value)}>
                  <option value="all" ?selected=${!strides.includes(Number(this.level))}>${layers.has('levels') ? 'All, side by side' : `Finest (stride ${strides[0]})`}</option>
                  ${strides.map((stride) => html`<option value=${String(stride)} ?selected=${String(stride) === this.level}>stride ${stride}</option>`)}
                </select>
              </label>
            `
          : nothing}
        ${this.renderExport()}
      </div>
    `;
  }

  private renderStats() {
    const stats = this._stats;
    const report = this._report;
    const ms = (value: number | undefined) => (value === undefined ? '–' : value < 10 ? value.toFixed(1) : value.toFixed(0));
    return html`
      <div class="stats" part="stats" aria-live="off">
        <dl>
          <div class="stat"><dt>fps</dt><dd>${stats && this._sourceKind !== 'image' ? stats.fps.toFixed(1) : '–'}</dd></div>
          <div class="stat"><dt>preprocess</dt><dd>${ms(stats?.timings.preprocess)} ms</dd></div>
          <div class="stat"><dt>model</dt><dd>${ms(stats?.timings.infer)} ms</dd></div>
          <div class="stat"><dt>decode</dt><dd>${ms(stats?.timings.decode)} ms</dd></div>
          <div class="stat"><dt>objects</dt><dd>${stats ? stats.count : '–'}</dd></div>
          <div class="stat" title="What the boxes are drawn on: the frame the model analysed, or the live video">
            <dt>showing</dt><dd>${this._holdFrame ? 'analysed frame' : 'live video'}</dd>
          </div>
        </dl>
        ${report && report.skipped.length > 0
          ? html`
              <details>
                <summary>Why ${BACKEND_NAMES[report.backend]}?</summary>
                <ul>
                  ${report.skipped.map((skip) => html`<li><b>${BACKEND_NAMES[skip.backend]}</b> skipped: ${skip.reason}</li>`)}
                </ul>
              </details>
            `
          : nothing}
      </div>
    `;
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

  /** Downloads `snapshot()` as `loupe-snapshot.png`. */
  async downloadSnapshot(): Promise<void> {
    const blob = await this.snapshot();
    if (blob) downloadBlob(blob, 'loupe-snapshot.png');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
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
    const showPoster = (!this._started || this._phase !== 'running') && !this._sourceFailed;
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

  private renderExport() {
    const none = !this.latest;
    return html`
      <div class="field export" part="export" role="group" aria-label="Export">
        <span class="name">Export</span>
        <span class="toggles">
          <button type="button" ?disabled=${none} aria-label="Download detections as JSON" @click=${() => this.downloadDetections('json')}>JSON</button>
          <button type="button" ?disabled=${none} aria-label="Download detections in COCO results format" @click=${() => this.downloadDetections('coco')}>COCO</button>
          <button type="button" ?disabled=${none} aria-label="Download a PNG snapshot with the boxes" @click=${() => void this.downloadSnapshot()}>PNG</button>
        </span>
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
