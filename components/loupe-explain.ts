/**
 * <loupe-explain>: one frozen frame, the model's own decode of it step by step (models/explain.ts holds
 * the data, components/explain/draw.ts the drawing). This class loads the detector, freezes the frame,
 * and wires steps, keys, the URL hash and the cell inspector to the DOM.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import {
  EXPLAINED_MODELS,
  LoupeError,
  createDetector,
  explainFrame,
  isExplained,
  type AnchorReading,
  type BackendPreference,
  type CellExplanation,
  type Detection,
  type Detector,
  type ExplainedRow,
  type Explanation,
  type FrameSource,
  type PyramidComparison,
  type PyramidPath,
  type StepPicture,
} from '../models/index.js';
import { emit } from './events.js';
import { cellAt, drawPicture, pictureLayout } from './explain/draw.js';
import { smallObjectsOn, smallObjectsSetting } from './internal/small-objects-attributes.js';
import { SIDE_COLORS } from './internal/palette.js';

const VIDEO_FILE = /\.(webm|mp4|m4v|ogv|mov)(\?|#|$)/i;

/**
 * Walks through what a real model computes on one frame: the letterboxed input, its score maps, the
 * peak test (CenterNet), the pyramid levels (NanoDet) or the S × S grid with its anchors and the cell
 * responsible for each box (Tiny-YOLOv2 faces), the candidates with their regression, the threshold
 * and the NMS step by step, and the boxes mapped back to the frame, which are exactly `detect()`'s. Every number is read from the model's outputs for that frame (`detect(…, { trace: true })`).
 * With `small-objects`, a last step runs the frame through the small-object mode too and sets the image
 * pyramid's boxes (each tagged with the scale and level that found it) beside the single pass's feature
 * pyramid, with the small objects each path found and the time each took.
 *
 * The frame is `src` (an image, or a video at `time` seconds), or any frame handed to `explain()` (a
 * `<video>` showing the camera, a canvas, an `ImageBitmap`…), frozen as it was at the call. Back/Next
 * buttons and the arrow keys (Home/End too) move between steps; with `use-hash` the URL's
 * `#explain-step=<id>` follows the step and restores it on load. Clicking the picture shows the cell
 * under the pointer: every class score, the raw regression and what it means (for NanoDet the 4 × 11
 * bin distributions and their integral; for the face detector its 5 anchors' raw numbers, objectness
 * × class score and decoded boxes), the cell's rank among the candidates and why it was kept or dropped. Each picture is a `role="img"` with a text alternative listing what it shows.
 *
 * Models: `centernet`, `nanodet`, `yolo-face`, `yolo-face-small`, and a user's Ultralytics export
 * (`ultralytics:<url of model.json>`, the `[1, 4+nc, N]` output of `yolo export format=tfjs`). Another
 * model, an unreadable `src` or a failed load shows the message and fires `loupe-error`.
 *
 * @summary Steps through a real model's decode of one frame.
 *
 * @fires loupe-explain-step - The step changed (or a new frame was explained); detail `{index, id, title, count}`.
 * @fires loupe-error - Detail `{type, message}`: `bad-option` (a model without an explanation), `bad-input` (an unreadable `src`), `model-load-failed`, `backend-failed`…
 *
 * @csspart picture - The step's picture (a canvas, `role="img"` with its text alternative).
 * @csspart caption - The step's plain-language caption.
 * @csspart controls - The Back / Next buttons and the step counter.
 * @csspart cell - The clicked cell's values.
 * @csspart pyramids - The pyramid step's two lists of boxes (single pass, image pyramid).
 * @csspart message - Loading and error messages.
 */
export class LoupeExplain extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color: inherit;
      font: inherit;
      max-width: 100%;
    }
    :host([hidden]) {
      display: none;
    }
    :host(:focus-visible) {
      outline: 2px solid #38bdf8;
      outline-offset: 2px;
    }
    figure {
      margin: 0;
    }
    canvas {
      display: block;
      width: 100%;
      height: auto;
      cursor: crosshair;
      background: #000;
    }
    h3 {
      margin: 0.5rem 0 0.25rem;
      font-size: 1.05rem;
    }
    .controls {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      flex-wrap: wrap;
      margin: 0.5rem 0;
    }
    button {
      font: inherit;
      padding: 0.35rem 0.9rem;
    }
    ol.steps {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      list-style: none;
      padding: 0;
      margin: 0.25rem 0;
    }
    ol.steps button[aria-current='step'] {
      font-weight: 700;
      outline: 2px solid #38bdf8;
    }
    .cell {
      margin-top: 0.5rem;
      padding: 0.5rem;
      border: 1px solid rgba(128, 128, 128, 0.5);
      border-radius: 4px;
      overflow-x: auto;
    }
    .cell table {
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    .cell td,
    .cell th {
      padding: 0 0.5rem 0 0;
      text-align: left;
    }
    .bins {
      display: inline-flex;
      gap: 1px;
      align-items: flex-end;
      height: 1.5rem;
      vertical-align: middle;
    }
    .bins span {
      display: inline-block;
      width: 0.45rem;
      background: var(--c);
    }
    .pyramids {
      display: flex;
      flex-wrap: wrap;
      gap: 0 1.5rem;
    }
    .pyramids h4 {
      margin: 0.5rem 0 0.25rem;
    }
    .message[data-kind='error'] {
      color: #f87171;
    }
  `;

  static override properties = {
    model: { type: String },
    backend: { type: String },
    src: { type: String },
    time: { type: Number },
    modelBaseUrl: { type: String, attribute: 'model-base-url' },
    wasmPaths: { type: String, attribute: 'wasm-paths' },
    useHash: { type: Boolean, attribute: 'use-hash' },
    smallObjects: { type: String, attribute: 'small-objects' },
    step: { type: Number, reflect: true },
    status: { type: String, reflect: true },
    explanation: { attribute: false },
    selectedCell: { attribute: false },
    message: { state: true },
  };

  /** `centernet`, `nanodet`, `yolo-face`, `yolo-face-small` or `ultralytics:<url of model.json>`. */
  declare model: string;
  /** `auto`, `webgpu`, `webgl`, `wasm` or `cpu`. */
  declare backend: BackendPreference;
  /** URL of the frame: an image, or a video (its frame at `time`). Unset: call `explain()`. */
  declare src: string | undefined;
  /** For a video `src`: the time of the frame to explain, in seconds. */
  declare time: number;
  /** Folder URL of the model files; default `/models/` on the page's origin. */
  declare modelBaseUrl: string | undefined;
  /** Folder URL of the WASM backend's binaries; default `/tfjs-wasm/` on the page's origin. */
  declare wasmPaths: string | undefined;
  /** Keep the step in the URL (`#explain-step=<id>`) and restore it from there. */
  declare useHash: boolean;
  /**
   * Present: add the pyramid step, the frame through the small-object mode (a value names its preset,
   * `full` or `live`) beside the single pass. Absent or `false`: no such step.
   */
  declare smallObjects: string | null | undefined;
  /** The step shown, 0-based (reflected). */
  declare step: number;
  /** `idle`, `loading` (model or frame), `ready` (an explanation is shown) or `error` (reflected). */
  declare status: 'idle' | 'loading' | 'ready' | 'error';
  /** The current frame's explanation (plain data: steps, trace, `cell(level, x, y)`); null before one. */
  declare explanation: Explanation | null;
  /** The cell last clicked, with its values; null when none. */
  declare selectedCell: CellExplanation | null;
  declare private message: string;

  private detector: Detector | null = null;
  private detectorKey = '';
  /** The frozen frame every picture is drawn over. */
  private frozen: HTMLCanvasElement | null = null;
  private generation = 0;
  private readonly onHashChange = (): void => this.restoreFromHash();

  constructor() {
    super();
    this.model = 'centernet';
    this.backend = 'auto';
    this.time = 0;
    this.useHash = false;
    this.step = 0;
    this.status = 'idle';
    this.explanation = null;
    this.selectedCell = null;
    this.message = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.addEventListener('keydown', this.onKey);
    window.addEventListener('hashchange', this.onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKey);
    window.removeEventListener('hashchange', this.onHashChange);
    this.generation++;
    this.detector?.dispose();
    this.detector = null;
    this.detectorKey = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('src') || changed.has('time') || changed.has('model') || changed.has('backend') || changed.has('modelBaseUrl') || changed.has('smallObjects')) && this.src) {
      void this.explainSrc();
    }
    if (changed.has('step') || changed.has('explanation')) {
      this.drawStep();
      if (changed.has('step') && this.explanation) this.announceStep();
    }
  }

  /**
   * Freezes `source` as it is now (a video's current frame, the camera's included) and explains it.
   * Resolves with the explanation; rejects with a `LoupeError` (also shown and fired as `loupe-error`).
   */
  async explain(source: FrameSource): Promise<Explanation> {
    const generation = ++this.generation;
    this.status = 'loading';
    this.message = 'Loading the model…';
    try {
      const frame = freeze(source);
      const detector = await this.ensureDetector();
      if (generation !== this.generation) throw new LoupeError('disposed', 'A newer frame replaced this one.');
      this.message = 'Running the model on the frame…';
      const smallObjects = smallObjectsOn(this.smallObjects) ? smallObjectsSetting({ smallObjects: this.smallObjects, scales: undefined, tileOverlap: undefined, budget: undefined }) : undefined;
      const explanation = await explainFrame(detector, frame, { smallObjects });
      if (generation !== this.generation) throw new LoupeError('disposed', 'A newer frame replaced this one.');
      this.frozen = frame;
      this.selectedCell = null;
      const restored = this.useHash ? stepFromHash(explanation) : -1;
      this.step = restored >= 0 ? restored : Math.min(this.step, explanation.steps.length - 1);
      this.explanation = explanation;
      this.status = 'ready';
      this.message = '';
      await this.updateComplete;
      this.announceStep();
      return explanation;
    } catch (error) {
      const loupe = error instanceof LoupeError ? error : new LoupeError('bad-input', `Explaining the frame failed: ${error instanceof Error ? error.message : String(error)}`);
      if (loupe.type !== 'disposed' || generation === this.generation) {
        this.status = 'error';
        this.message = loupe.message;
        emit(this, 'loupe-error', { type: loupe.type, message: loupe.message });
      }
      throw loupe;
    }
  }

  /** The frozen frame the current explanation was computed on (a canvas at the frame's size); null before one. */
  get frame(): HTMLCanvasElement | null {
    return this.frozen;
  }

  /** Moves to step `index` (clamped). */
  go(index: number): void {
    const count = this.explanation?.steps.length ?? 0;
    if (!count) return;
    this.step = Math.max(0, Math.min(count - 1, index));
  }

  private async explainSrc(): Promise<void> {
    const src = this.src;
    if (!src) return;
    try {
      const source = await loadFrame(src, this.time);
      if (src !== this.src) return;
      await this.explain(source);
    } catch (error) {
      if (!(error instanceof LoupeError)) return;
      if (this.status !== 'error') {
        this.status = 'error';
        this.message = error.message;
        emit(this, 'loupe-error', { type: error.type, message: error.message });
      }
    }
  }

  private async ensureDetector(): Promise<Detector> {
    if (!isExplained(this.model)) {
      throw new LoupeError('bad-option', `<loupe-explain> has no step-by-step explanation for model '${this.model}'; use ${EXPLAINED_MODELS.join(', ')} or ultralytics:<url>.`);
    }
    const key = [this.model, this.backend, this.modelBaseUrl ?? '', this.wasmPaths ?? ''].join('|');
    if (this.detector && key === this.detectorKey) return this.detector;
    this.detector?.dispose();
    this.detector = null;
    const detector = await createDetector({ model: this.model, backend: this.backend, modelBaseUrl: this.modelBaseUrl, wasmPaths: this.wasmPaths });
    if (!this.isConnected) {
      detector.dispose();
      throw new LoupeError('disposed', '<loupe-explain> was removed while its model loaded.');
    }
    this.detector = detector;
    this.detectorKey = key;
    return detector;
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    if (!this.explanation || event.altKey || event.ctrlKey || event.metaKey) return;
    const moves: Record<string, number> = { ArrowRight: this.step + 1, ArrowDown: this.step + 1, ArrowLeft: this.step - 1, ArrowUp: this.step - 1, Home: 0, End: this.explanation.steps.length - 1 };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    this.go(target);
  };

  private announceStep(): void {
    const explanation = this.explanation;
    const step = explanation?.steps[this.step];
    if (!explanation || !step) return;
    if (this.useHash) {
      const url = new URL(location.href);
      url.hash = `explain-step=${step.id}`;
      history.replaceState(history.state, '', url);
    }
    emit(this, 'loupe-explain-step', { index: this.step, id: step.id, title: step.title, count: explanation.steps.length });
  }

  private restoreFromHash(): void {
    if (!this.useHash || !this.explanation) return;
    const index = stepFromHash(this.explanation);
    if (index >= 0 && index !== this.step) this.step = index;
  }

  private drawStep(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const explanation = this.explanation;
    const step = explanation?.steps[this.step];
    if (!canvas || !explanation || !step || !this.frozen) return;
    drawPicture(canvas, this.frozen, explanation, step.picture, (classId) => explanation.labels[classId] ?? `class ${classId}`);
  }

  /** A click on the picture: the cell under it, on the level the panel shows (else the finest). */
  private onPictureClick(event: MouseEvent): void {
    const explanation = this.explanation;
    const step = explanation?.steps[this.step];
    const canvas = event.currentTarget as HTMLCanvasElement;
    if (!explanation || !step) return;
    const bounds = canvas.getBoundingClientRect();
    const x = ((event.clientX - bounds.left) / bounds.width) * canvas.width;
    const y = ((event.clientY - bounds.top) / bounds.height) * canvas.height;
    const layout = pictureLayout(explanation, step.picture);
    const panel = layout.panels.find((p) => x >= p.x && x < p.x + p.width) ?? layout.panels[0]!;
    let inputX = x - panel.x;
    let inputY = y;
    if (step.picture.kind === 'boxes' || step.picture.kind === 'pyramid') {
      // Frame pixels (in the panel) → input pixels.
      const { letterbox } = explanation;
      inputX = (x - panel.x) * letterbox.scaleX + letterbox.padX;
      inputY = y * letterbox.scaleY + letterbox.padY;
    }
    const levelIndex = panel.level ?? 0;
    const level = explanation.levels[levelIndex]!;
    const cell = cellAt(level, inputX, inputY);
    this.selectCell(levelIndex, cell.x, cell.y);
  }

  /** Shows cell (x, y) of `level`'s values (what a click does). Throws `LoupeError('bad-option')` outside the grid. */
  selectCell(level: number, x: number, y: number): CellExplanation {
    if (!this.explanation) throw new LoupeError('bad-option', 'Nothing explained yet: set src or call explain().');
    this.selectedCell = this.explanation.cell(level, x, y);
    return this.selectedCell;
  }

  override render() {
    const explanation = this.explanation;
    const step = explanation?.steps[this.step];
    const message = this.message ? html`<p class="message" part="message" role=${this.status === 'error' ? 'alert' : 'status'} data-kind=${this.status}>${this.message}</p>` : nothing;
    if (!explanation || !step) return html`${message}<canvas hidden></canvas>`;
    const count = explanation.steps.length;
    return html`
      ${message}
      <nav aria-label="Steps">
        <ol class="steps">
          ${explanation.steps.map(
            (each, index) => html`<li><button type="button" aria-current=${index === this.step ? 'step' : 'false'} @click=${() => this.go(index)}>${index + 1}. ${each.title}</button></li>`,
          )}
        </ol>
      </nav>
      <figure>
        <h3 id="title">Step ${this.step + 1} of ${count}: ${step.title}</h3>
        <canvas part="picture" role="img" aria-label=${step.alt} data-step=${step.id} @click=${this.onPictureClick}></canvas>
        <figcaption part="caption" aria-live="polite">${step.caption}</figcaption>
      </figure>
      <div class="controls" part="controls">
        <button type="button" data-go="back" ?disabled=${this.step === 0} @click=${() => this.go(this.step - 1)}>← Back</button>
        <span>${this.step + 1} / ${count}</span>
        <button type="button" data-go="next" ?disabled=${this.step === count - 1} @click=${() => this.go(this.step + 1)}>Next →</button>
        <span>Click the picture to read a cell.</span>
      </div>
      ${step.picture.kind === 'boxes' ? this.renderBoxList(explanation) : nothing} ${explanation.pyramid && step.picture.kind === 'pyramid' ? this.renderPyramid(explanation.pyramid) : nothing} ${step.picture.kind === 'nms' ? this.renderNmsSteps(explanation, step.picture) : nothing} ${this.selectedCell ? this.renderCell(explanation, this.selectedCell) : nothing}
    `;
  }

  private renderBoxList(explanation: Explanation) {
    return html`<ol class="boxes" aria-label="Boxes">
      ${explanation.detections.map(
        (d) =>
          html`<li data-box=${[d.x, d.y, d.width, d.height, d.score, d.classId].join(',')}>${d.label} ${d.score.toFixed(3)}: x ${d.x.toFixed(1)}, y ${d.y.toFixed(1)},
            ${d.width.toFixed(1)} × ${d.height.toFixed(1)} (cell ${d.cell.x}, ${d.cell.y} at stride ${d.cell.stride})</li>`,
      )}
    </ol>`;
  }

  /** The two paths' boxes, each tagged with the level (and scale) that found it; counts and times per path. */
  private renderPyramid(comparison: PyramidComparison) {
    const row = (d: Detection) => {
      const small = d.width * d.height < comparison.smallArea;
      return html`<li data-scale=${d.tile?.scale ?? 1} data-stride=${d.cell.stride} data-level=${d.cell.level} ?data-small=${small} data-box=${[d.x, d.y, d.width, d.height, d.score, d.classId].join(',')}>
        ${d.label} ${d.score.toFixed(2)}: ×${d.tile?.scale ?? 1}, stride ${d.cell.stride}${small ? ', small' : ''}
      </li>`;
    };
    const path = (id: 'fpn' | 'pyramid', title: string, data: PyramidPath) =>
      html`<div class="path" data-path=${id} data-small=${data.small} data-executions=${data.executions} data-ms=${data.ms}>
        <h4>${title}: ${data.detections.length} boxes, ${data.small} small, ${data.executions} ${data.executions === 1 ? 'execution' : 'executions'}, ${Math.round(data.ms)} ms</h4>
        <ol aria-label=${`${title} boxes`}>
          ${data.detections.map(row)}
        </ol>
      </div>`;
    return html`<section class="pyramids" part="pyramids">${path('fpn', 'Feature pyramid (one pass)', comparison.fpn)} ${path('pyramid', 'Image pyramid (small-object mode)', comparison.pyramid)}</section>`;
  }

  /** NMS in order: each candidate it looked at, kept or suppressed by which kept box, at what IoU. */
  private renderNmsSteps(explanation: Explanation, picture: Extract<StepPicture, { kind: 'nms' }>) {
    const name = (row: ExplainedRow): string => `#${row.rank + 1} ${explanation.labels[row.classId] ?? `class ${row.classId}`} ${row.score.toFixed(2)}`;
    return html`<ol class="nms" aria-label="NMS steps">
      ${picture.steps.map(
        (step) =>
          html`<li data-candidate=${step.row.rank} data-suppressed-by=${step.suppressedBy?.rank ?? ''} data-iou=${step.iou}>
            ${step.suppressedBy ? `${name(step.row)}: suppressed by ${name(step.suppressedBy)}, IoU ${step.iou.toFixed(2)}` : `${name(step.row)}: kept`}
          </li>`,
      )}
    </ol>`;
  }

  /** A Tiny-YOLOv2 cell: per anchor its raw numbers, objectness × class score and the box they decode to. */
  private renderAnchors(cell: CellExplanation, anchors: readonly AnchorReading[]) {
    const f = (v: number, digits = 2): string => v.toFixed(digits);
    return html`<table class="anchors">
      <caption>
        Its ${anchors.length} anchors: centre (${cell.x} + σ(tx), ${cell.y} + σ(ty)) × ${cell.stride}, size e^tw × anchor width by e^th × anchor height; score = σ(to) × class
        probability.
      </caption>
      <tr>
        <th>anchor</th>
        <th>size</th>
        <th>tx, ty, tw, th, to</th>
        <th>σ(to) × class</th>
        <th>box (input px)</th>
        <th>rank</th>
      </tr>
      ${anchors.map(
        (a) =>
          html`<tr data-anchor=${a.anchor} data-box=${[a.box.x1, a.box.y1, a.box.x2, a.box.y2].join(',')} data-score=${a.score} ?data-best=${a.anchor === cell.bestAnchor}>
            <td>${a.anchor}</td>
            <td>${f(a.anchorWidth, 0)} × ${f(a.anchorHeight, 0)}</td>
            <td>${[a.tx, a.ty, a.tw, a.th, a.to].map((v) => f(v)).join(', ')}</td>
            <td>${f(a.objectness, 3)} × ${f(a.classScore, 0)} = ${f(a.score, 3)}</td>
            <td>${f(a.box.x1, 1)}, ${f(a.box.y1, 1)} – ${f(a.box.x2, 1)}, ${f(a.box.y2, 1)}</td>
            <td>${a.candidate ? `#${a.candidate.rank + 1}` : '—'}</td>
          </tr>`,
      )}
    </table>`;
  }

  private renderCell(explanation: Explanation, cell: CellExplanation) {
    const label = (classId: number): string => explanation.labels[classId] ?? `class ${classId}`;
    const ranked = Array.from(cell.scores, (score, classId) => ({ score, classId })).sort((a, b) => b.score - a.score);
    const reading = cell.regression;
    return html`<section class="cell" part="cell" aria-live="polite" data-level=${cell.level} data-x=${cell.x} data-y=${cell.y}>
      <h4>Cell (${cell.x}, ${cell.y}) at stride ${cell.stride}: its point is (${cell.pointX}, ${cell.pointY}) in the input</h4>
      <p class="verdict">${cell.verdict}</p>
      ${cell.candidates.length
        ? html`<p>Candidates here: ${cell.candidates.map((row) => `#${row.rank + 1} ${label(row.classId)} ${row.score.toFixed(3)}`).join(', ')}.</p>`
        : html`<p>No candidate at this cell.</p>`}
      ${reading?.kind === 'ltrb'
        ? html`<p>Regression (px from the point): ${reading.sides.map((side) => html`<span class="side" data-side=${side.side} data-value=${side.px}>${side.side} ${side.px.toFixed(2)}</span> `)}</p>`
        : nothing}
      ${reading?.kind === 'distribution'
        ? html`<table class="distribution">
            <caption>
              Each side is a distribution over ${reading.bins} bins (0 … ${reading.bins - 1} cells); the distance is its mean Σ b·p_b, times the stride ${cell.stride}.
            </caption>
            ${reading.sides.map(
              (side, index) =>
                html`<tr data-side=${side.side}>
                  <th>${side.side}</th>
                  <td>
                    <span class="bins" role="img" aria-label=${`${side.side} bin probabilities: ${side.probabilities.map((p) => p.toFixed(2)).join(', ')}`}
                      >${side.probabilities.map((p) => html`<span style="height:${Math.max(1, p * 100)}%;--c:${SIDE_COLORS[index]}"></span>`)}</span
                    >
                  </td>
                  <td data-value=${side.cells}>Σ b·p_b = ${side.cells.toFixed(3)} cells</td>
                  <td>= ${side.px.toFixed(2)} px</td>
                </tr>`,
            )}
          </table>`
        : nothing}
      ${cell.anchors ? this.renderAnchors(cell, cell.anchors) : nothing}
      <details>
        <summary>All ${cell.scores.length} class scores (best: ${label(cell.bestClass)} ${cell.scores[cell.bestClass]!.toFixed(3)})</summary>
        <table class="scores">
          ${ranked.map((entry) => html`<tr data-class=${entry.classId} data-value=${entry.score}><td>${label(entry.classId)}</td><td>${entry.score.toFixed(4)}</td></tr>`)}
        </table>
      </details>
      <p class="raw">Raw regression channels: ${Array.from(cell.regressionValues, (v) => v.toFixed(3)).join(' ')}</p>
    </section>`;
  }
}

/** `#explain-step=<id>` → that step's index, or −1. */
function stepFromHash(explanation: Explanation): number {
  const match = /(?:^#|&)explain-step=([\w-]+)/.exec(location.hash);
  return match ? explanation.steps.findIndex((step) => step.id === match[1]) : -1;
}

/** A copy of the source's current picture, so a playing video or a live camera cannot change it. */
function freeze(source: FrameSource): HTMLCanvasElement {
  const size = sizeOf(source);
  if (!size || !(size.width > 0 && size.height > 0)) throw new LoupeError('bad-input', '<loupe-explain> got a frame with no picture yet (an image not loaded, a video before its first frame).');
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d');
  if (!context) throw new LoupeError('bad-input', 'No 2D canvas to freeze the frame in.');
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) context.putImageData(source, 0, 0);
  else if (isDrawable(source)) context.drawImage(source, 0, 0, size.width, size.height);
  else throw new LoupeError('bad-input', '<loupe-explain> takes a video, image, canvas, ImageBitmap, ImageData or VideoFrame.');
  return canvas;
}

function isDrawable(source: FrameSource): source is CanvasImageSource & FrameSource {
  return (
    source instanceof HTMLVideoElement ||
    source instanceof HTMLImageElement ||
    source instanceof HTMLCanvasElement ||
    (typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap) ||
    (typeof OffscreenCanvas !== 'undefined' && source instanceof OffscreenCanvas) ||
    (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame)
  );
}

function sizeOf(source: FrameSource): { width: number; height: number } | null {
  if (source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) return { width: source.displayWidth, height: source.displayHeight };
  if ('width' in source && 'height' in source && typeof source.width === 'number' && typeof source.height === 'number') return { width: source.width, height: source.height };
  return null;
}

/** Loads `src` as an image, or a video sought to `time` s; a typed `bad-input` when it cannot be read. */
async function loadFrame(src: string, time: number): Promise<HTMLImageElement | HTMLVideoElement> {
  const failed = (what: string): LoupeError => new LoupeError('bad-input', `<loupe-explain> could not read ${what} from src "${src}".`);
  if (VIDEO_FILE.test(src)) {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.crossOrigin = 'anonymous';
    video.preload = 'auto';
    video.src = src;
    await new Promise<void>((resolve, reject) => {
      video.addEventListener('loadeddata', () => resolve(), { once: true });
      video.addEventListener('error', () => reject(failed('a video')), { once: true });
    });
    if (time > 0) {
      await new Promise<void>((resolve, reject) => {
        video.addEventListener('seeked', () => resolve(), { once: true });
        video.addEventListener('error', () => reject(failed(`the frame at ${time} s`)), { once: true });
        video.currentTime = Math.min(time, Math.max(0, video.duration - 0.05));
      });
    }
    return video;
  }
  const image = new Image();
  image.crossOrigin = 'anonymous';
  image.src = src;
  try {
    await image.decode();
  } catch {
    throw failed('an image');
  }
  return image;
}

declare global {
  interface HTMLElementTagNameMap {
    'loupe-explain': LoupeExplain;
  }
}
