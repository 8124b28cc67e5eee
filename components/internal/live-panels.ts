/**
 * Two panels of `<loupe-live>` drawn from its controllers' state: the loading card (download, compile and
 * warm-up progress, the failure card, a recovered notice) from LoadStatus, and the stats line under the
 * picture (fps, stage times, objects, what the boxes are drawn on, "Why WASM?") from LiveStats.
 */
import { html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { BackendReport } from '../../models/index.js';
import type { LoadStatus } from '../controllers/load-status.js';
import type { Stats } from '../controllers/live-stats.js';
import { BACKEND_NAMES } from './live-controls.js';

/** The loading card for `title` (the model's), or the failure card; nothing once frames run. */
export function renderLoadCard(load: LoadStatus, title: string, modelLoaded: boolean) {
  const { phase, failure, compiled, fraction, report, notice } = load;
  if (phase === 'failed' && failure) {
    return html`
      <div class="card error" role="alert">
        <h3>${modelLoaded ? 'Detection failed' : 'The model could not start'}</h3>
        <p>${failure.message}</p>
      </div>
    `;
  }
  // The camera's own message and buttons are on screen: a loading card would cover them.
  if (phase === 'running' || load.sourceFailed) return nothing;
  const compiling = phase === 'compiling';
  // A determinate bar while the weights download, or while shaders compile where the backend says how far.
  const measured = compiling ? compiled !== null && compiled > 0 && compiled < 1 : phase === 'loading' && fraction !== null && fraction < 1;
  const percent = Math.round(((compiling ? compiled : fraction) ?? 0) * 100);
  const backendName = report ? BACKEND_NAMES[report.backend] : 'the backend';
  const label = compiling
    ? `Compiling shaders…${measured ? ` ${percent}%` : ''}`
    : phase === 'warming'
      ? compiled !== null
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
      ${notice ? html`<p class="notice" role="alert">${notice.message}</p>` : nothing}
    </div>
  `;
}

/**
 * The stats line: `still` for a picture (no frame rate), `showing` what the boxes are drawn on, and the
 * backends skipped with their reasons.
 */
export function renderStatsPanel(stats: Stats | null, report: BackendReport | null, still: boolean, showing: string) {
  const ms = (value: number | undefined) => (value === undefined ? '–' : value < 10 ? value.toFixed(1) : value.toFixed(0));
  return html`
    <div class="stats" part="stats" aria-live="off">
      <dl>
        <div class="stat"><dt>fps</dt><dd>${stats && !still ? stats.fps.toFixed(1) : '–'}</dd></div>
        <div class="stat"><dt>preprocess</dt><dd>${ms(stats?.timings.preprocess)} ms</dd></div>
        <div class="stat"><dt>model</dt><dd>${ms(stats?.timings.infer)} ms</dd></div>
        <div class="stat"><dt>decode</dt><dd>${ms(stats?.timings.decode)} ms</dd></div>
        <div class="stat"><dt>objects</dt><dd>${stats ? stats.count : '–'}</dd></div>
        <div class="stat" title="What the boxes are drawn on: the frame the model analysed, or the live video">
          <dt>showing</dt><dd>${showing}</dd>
        </div>
      </dl>
      ${report && (report.skipped.length > 0 || workerFallback(report))
        ? html`
            <details>
              <summary>Why ${BACKEND_NAMES[report.backend]}${workerFallback(report) ? ' on the main thread' : ''}?</summary>
              <ul>
                ${report.skipped.map((skip) => html`<li><b>${BACKEND_NAMES[skip.backend]}</b> skipped: ${skip.reason}</li>`)}
                ${workerFallback(report) ? html`<li class="thread"><b>Worker</b> not used: ${report.reason}</li>` : nothing}
              </ul>
            </details>
          `
        : nothing}
    </div>
  `;
}

/** Why the engine runs on the main thread though the Worker was allowed (`worker` auto), or null. */
function workerFallback(report: BackendReport): string | null {
  return report.thread === 'main' && report.reason && report.reason !== 'worker: false' ? report.reason : null;
}
