/**
 * Script of e2e/pages/maps.html: one camera frame, captured once, shown as a still <canvas> inside a
 * <loupe-detector> with a <loupe-overlay>, on the main thread or in worker mode; returns what the map
 * layers drew (the pixels of the heatmap and of the levels strip, the inspector's text for a clicked
 * box), so a spec can compare the two modes on the same picture (e2e/worker.spec.ts).
 */
import '../../components/index.js';
import { workerMemory, type BackendReport, type WorkerMemory } from '../../models/index.js';
import type { LoupeOverlay } from '../../components/loupe-overlay.js';

export interface DrawnCanvas {
  width: number;
  height: number;
  /** RGBA bytes, row by row (what a 2D drawImage of the canvas reads). */
  data: number[];
  /** Where it is placed (CSS of its positioned parent: left/top/width/height in %). */
  placement: string;
}

export interface MapsRun {
  backend: BackendReport;
  heatmapPath: string | undefined;
  heatmap: DrawnCanvas | null;
  panels: DrawnCanvas[];
  /** The notes of the level panels without a box (`no score ≥ 0.3 · max 0.08`). */
  panelNotes: string[];
  /** The inspector's text after a click on the first box (offsets layer), or null without it. */
  inspector: string | null;
  boxes: number;
  /** The Worker's tfjs memory while the picture is shown (null on the main thread). */
  workerMemory: WorkerMemory | null;
  /** Worker mode: whether Loupe terminated its Worker within 30 s of the element's removal. */
  workerGoneAfterRemoval: boolean | null;
}

let still: ImageData | null = null;

/** Takes one frame of the fake camera (the street clip) to run every mode on. */
async function capture(): Promise<{ width: number; height: number }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  // A few frames in, past the clip's first one.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
  const context = canvas.getContext('2d')!;
  context.drawImage(video, 0, 0);
  still = context.getImageData(0, 0, canvas.width, canvas.height);
  for (const track of stream.getTracks()) track.stop();
  return { width: canvas.width, height: canvas.height };
}

function read(canvas: HTMLCanvasElement): DrawnCanvas {
  const copy = new OffscreenCanvas(canvas.width, canvas.height);
  const context = copy.getContext('2d')!;
  context.drawImage(canvas, 0, 0);
  const parent = canvas.parentElement;
  const placement = parent ? ['left', 'top', 'width', 'height'].map((key) => parent.style.getPropertyValue(key)).join(' ') : '';
  return { width: canvas.width, height: canvas.height, data: Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data), placement };
}

async function until<T>(what: string, probe: () => T | null | undefined | false, timeout: number): Promise<T> {
  const end = performance.now() + timeout;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function show(options: { model: string; layers: string; worker: boolean; panels?: number }): Promise<MapsRun> {
  if (!still) throw new Error('capture() first');
  const detector = document.createElement('loupe-detector');
  detector.setAttribute('model', options.model);
  detector.setAttribute('backend', 'wasm');
  detector.setAttribute('score-threshold', '0.3');
  // Both sides explicit: the element's default is the Worker.
  detector.setAttribute('worker', options.worker ? 'true' : 'false');
  const canvas = document.createElement('canvas');
  canvas.width = still.width;
  canvas.height = still.height;
  canvas.getContext('2d')!.putImageData(still, 0, 0);
  canvas.style.width = '640px';
  const overlay = document.createElement('loupe-overlay') as LoupeOverlay;
  overlay.setAttribute('layers', options.layers);
  let backend: BackendReport | null = null;
  detector.addEventListener('loupe-backend', (event) => (backend = (event as CustomEvent<BackendReport>).detail));
  const errors: string[] = [];
  detector.addEventListener('loupe-error', (event) => errors.push((event as CustomEvent<{ message: string }>).detail.message));
  overlay.addEventListener('loupe-error', (event) => errors.push((event as CustomEvent<{ message: string }>).detail.message));
  detector.append(canvas, overlay);
  document.body.append(detector);
  try {
    const layers = options.layers.split(/\s+/);
    const root = (): ShadowRoot => overlay.shadowRoot!;
    await until('the result drawn', () => {
      if (errors.length > 0) throw new Error(errors.join('; '));
      if (!root()?.querySelector('.box')) return false;
      if (layers.includes('heatmap') && !overlay.heatmapImage) return false;
      if (options.panels && root().querySelectorAll('.panels canvas').length !== options.panels) return false;
      return true;
    }, 150_000);
    const heatmap = overlay.heatmapImage?.canvas ?? null;
    let inspector: string | null = null;
    if (layers.includes('offsets')) {
      root().querySelector<HTMLElement>('.box')!.click();
      inspector = await until('the inspector read the box', () => {
        const text = root().querySelector('.inspector')?.textContent?.replace(/\s+/g, ' ').trim();
        return text && !text.includes('reading…') ? text : null;
      }, 30_000);
    }
    const run: MapsRun = {
      backend: backend!,
      heatmapPath: overlay.heatmapPath,
      heatmap: heatmap ? read(heatmap) : null,
      panels: [...root().querySelectorAll<HTMLCanvasElement>('.panels canvas')].map(read),
      panelNotes: [...root().querySelectorAll('.panels .panel-note')].map((note) => note.textContent ?? ''),
      inspector,
      boxes: root().querySelectorAll('.box').length,
      workerMemory: options.worker ? await workerMemory() : null,
      workerGoneAfterRemoval: null,
    };
    detector.remove();
    if (options.worker) {
      // The detector disposes its engine after the run in flight; the last dispose terminates the Worker.
      const end = performance.now() + 30_000;
      while ((await workerMemory()) !== null && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 200));
      run.workerGoneAfterRemoval = (await workerMemory()) === null;
    }
    if (errors.length > 0) throw new Error(errors.join('; '));
    return run;
  } finally {
    detector.remove();
  }
}

(window as unknown as { loupeMaps: { capture: typeof capture; show: typeof show } }).loupeMaps = { capture, show };
document.body.dataset.ready = 'true';
