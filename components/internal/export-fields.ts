/**
 * The control bar's export fields of `<loupe-live>`: the latest detections (JSON, COCO, a PNG snapshot),
 * and the offline pass over a video file (components/controllers/file-pass.ts): a button to start it,
 * its progress and a cancel while it runs, what it found and the track exports after (shown only while
 * the source is a video file).
 */
import { html, nothing } from 'lit';
import type { FilePass } from '../controllers/file-pass.js';

/** The field of `pass` (nothing while no pass can run); Analyse runs it at `fps`. */
export function renderFilePassField(pass: FilePass, fps = 30) {
  if (!pass.available && pass.state !== 'running') return nothing;
  const percent = Math.round(pass.progress * 100);
  const found = `${pass.frames} frames, ${pass.tracks} tracks`;
  const summary: Record<typeof pass.state, string> = {
    idle: 'every frame of the file, in order, with tracking',
    running: `${percent} % · ${found}`,
    done: found,
    cancelled: `cancelled at ${percent} % · ${found}`,
    failed: `failed: ${pass.error instanceof Error ? pass.error.message : String(pass.error)}`,
  };
  const exportable = pass.state !== 'running' && pass.frames > 0;
  return html`
    <div class="field file-pass" part="file-pass" role="group" aria-label="Whole file">
      <span class="name">Whole file</span>
      <span class="toggles">
        ${pass.state === 'running'
          ? html`<progress part="file-pass-progress" max="100" value=${percent} aria-label="Analysed share of the file"></progress>
              <button type="button" @click=${() => pass.cancel()}>Cancel</button>`
          : html`<button type="button" @click=${() => void pass.analyse(fps)} aria-label="Detect and track every frame of the file">Analyse</button>`}
        ${exportable
          ? html`<button type="button" aria-label="Download the tracks in MOTChallenge format" @click=${() => pass.download('mot')}>MOT</button>
              <button type="button" aria-label="Download the tracks as JSON" @click=${() => pass.download('json')}>JSON</button>`
          : nothing}
      </span>
      <span class="file-pass-summary" role="status">${summary[pass.state]}</span>
    </div>
  `;
}

export interface ExportActions {
  /** Whether there is a result to export yet. */
  ready: boolean;
  detections(format: 'json' | 'coco'): void;
  snapshot(): void;
}

/** The Export field: the latest detections as JSON or COCO results, or a PNG snapshot. */
export function renderExportField({ ready, detections, snapshot }: ExportActions) {
  return html`
    <div class="field export" part="export" role="group" aria-label="Export">
      <span class="name">Export</span>
      <span class="toggles">
        <button type="button" ?disabled=${!ready} aria-label="Download detections as JSON" @click=${() => detections('json')}>JSON</button>
        <button type="button" ?disabled=${!ready} aria-label="Download detections in COCO results format" @click=${() => detections('coco')}>COCO</button>
        <button type="button" ?disabled=${!ready} aria-label="Download a PNG snapshot with the boxes" @click=${snapshot}>PNG</button>
      </span>
    </div>
  `;
}
