/**
 * Page-level helpers shared by the specs: open the test page, wait for frames, and measure what the
 * heatmap layer paints.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import type { BackendReport, DetectionSummary } from '../models/index.js';
import { artifactsDir } from './chromium';
import { LAWN, SOURCE_HEIGHT, SOURCE_WIDTH, WALKWAY, bestPersonMatch, centre, contains, describe, people, type Rect } from './street';

export interface LiveState {
  detections: DetectionSummary[];
  backend: BackendReport | null;
  errors: { type: string; message: string }[];
  progress: number[];
  readback: { bytes: number; calls: number; largest: number[] }[];
  times: number[];
}

/**
 * `LOUPE_E2E_WORKER=0`: every <loupe-live> that `openLive` opens runs on the main thread (`worker="false"`)
 * unless its spec sets `worker` itself. Unset or `1`: the elements' default, Loupe's Worker where it can
 * (docs/worker.md). e2e/README.md says which specs CI also runs on the main thread.
 */
export const MAIN_THREAD_RUN = process.env.LOUPE_E2E_WORKER === '0';

/** Opens e2e/pages/live.html with a <loupe-live> carrying `attributes`; logs the page's console errors. */
export async function openLive(page: Page, given: Record<string, string>): Promise<void> {
  const attributes = MAIN_THREAD_RUN && !('worker' in given) ? { ...given, worker: 'false' } : given;
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${msg.type()}] ${msg.text()}`);
  });
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) console.log(`[page] HTTP ${response.status()} ${response.url()}`);
  });
  const query = new URLSearchParams(attributes).toString();
  await page.goto(`/e2e/pages/live.html?${query}`);
  await page.waitForFunction(() => customElements.get('loupe-live') !== undefined, null, { timeout: 60_000 });
}

/**
 * Tensors the engine holds wherever it runs: the page's tfjs plus Loupe's Worker's (`workerMemory()`,
 * none once the Worker is gone). Needs e2e/pages/live.html.
 */
export async function engineTensors(page: Page): Promise<number> {
  return page.evaluate(async () => {
    // The engine's count, which needs no backend (in worker mode the page's tfjs never starts one).
    const w = window as unknown as { tf: { engine(): { state: { numTensors: number } } }; workerMemory(): Promise<{ numTensors: number } | null> };
    return w.tf.engine().state.numTensors + ((await w.workerMemory())?.numTensors ?? 0);
  });
}

export async function liveState(page: Page): Promise<LiveState> {
  return page.evaluate(() => (window as unknown as { loupeTest: LiveState }).loupeTest);
}

/** Waits until `count` loupe-detections events arrived; fails at once on a loupe-error. */
export async function waitForFrames(page: Page, count: number, timeout: number): Promise<LiveState> {
  const started = Date.now();
  await page.waitForFunction(
    (n) => {
      const s = (window as unknown as { loupeTest?: LiveState }).loupeTest;
      return !!s && (s.detections.length >= n || s.errors.length > 0);
    },
    count,
    { timeout, polling: 500 },
  );
  const state = await liveState(page);
  expect(state.errors, 'loupe-error events').toEqual([]);
  const t = state.detections.map((d) => `${Math.round(d.timings.total)} ms`).join(', ');
  console.log(`${state.detections.length} frame(s) in ${((Date.now() - started) / 1000).toFixed(1)} s on ${state.backend?.backend} (${t})`);
  return state;
}

/**
 * Every frame must find at least one person that matches an annotated person of the clip (IoU ≥ 0.4)
 * with its centre on the walkway, and no confident person (≥ 0.5) centred on the empty lawn.
 */
export function expectPeopleFound(frames: DetectionSummary[]): void {
  for (const [index, frame] of frames.entries()) {
    expect(frame.letterbox.sourceWidth, 'source width (fake camera clip)').toBe(SOURCE_WIDTH);
    expect(frame.letterbox.sourceHeight, 'source height').toBe(SOURCE_HEIGHT);
    const persons = frame.detections.filter((d) => d.label === 'person');
    const report = persons.map((d) => `${describe(d)} best IoU ${bestPersonMatch(d).iou.toFixed(2)}`).join('\n  ');
    console.log(`frame ${index + 1}: ${frame.detections.length} detections, ${persons.length} person(s)\n  ${report}`);
    const matched = persons.filter((d) => bestPersonMatch(d).iou >= 0.4 && contains(WALKWAY, centre(d)));
    expect(matched.length, `frame ${index + 1}: a person detection on an annotated person\n  ${report}`).toBeGreaterThan(0);
    const onLawn = persons.filter((d) => d.score >= 0.5 && contains(LAWN, centre(d)));
    expect(onLawn.map(describe), `frame ${index + 1}: confident persons on the empty lawn`).toEqual([]);
  }
}

export function artifactPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

/** Where the video's frame is drawn on the page (object-fit aware), in CSS px. */
async function videoContentRect(page: Page): Promise<Rect> {
  return page.locator('video').first().evaluate((v: HTMLVideoElement) => {
    const box = v.getBoundingClientRect();
    const fit = getComputedStyle(v).objectFit;
    const vw = v.videoWidth;
    const vh = v.videoHeight;
    if (!vw || !vh || fit === 'fill') return { x: box.x, y: box.y, width: box.width, height: box.height };
    const scale = fit === 'cover' ? Math.max(box.width / vw, box.height / vh) : Math.min(box.width / vw, box.height / vh);
    const width = vw * scale;
    const height = vh * scale;
    return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
  });
}

/**
 * Screenshot of the whole <loupe-live> as a user sees it. A page clip, not `locator.screenshot()`: that
 * waits for the element to be "stable" over two animation frames, and on a loaded machine the main
 * thread (busy with WASM frames) can go longer than its timeout without one. The element does not move.
 */
export async function screenshotLive(page: Page, name: string): Promise<void> {
  const live = page.locator('loupe-live');
  await live.evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
  const clip = await live.boundingBox();
  if (!clip) throw new Error('screenshotLive: <loupe-live> is not rendered');
  await page.screenshot({ path: artifactPath(name), clip });
}

export interface HeatmapStats {
  /** Share of lawn pixels the heatmap visibly paints (brightest channel ≥ 40 over black). */
  lawnPainted: number;
  /** 99th percentile of the brightest channel over the lawn. */
  lawnP99: number;
  /** Brightest pixel (5×5 mean) on the walkway, and where (source px). */
  walkwayPeak: { value: number; x: number; y: number };
  /** Share of walkway pixels painted (≥ 40) that lie on an annotated person (grown by 16 px). */
  walkwayPaintOnPeople: number;
  walkwayPainted: number;
}

/**
 * Shows only the heatmap layer over a black video (the video is kept playing, darkened with a CSS
 * filter; every other overlay layer and control is hidden), screenshots the video's frame rectangle
 * and measures it in source pixels. Works for every heatmap path (WebGPU and WebGL canvases cannot be
 * read back with a 2D drawImage, but they are composited into screenshots).
 */
export async function measureHeatmap(page: Page, name: string): Promise<HeatmapStats> {
  const heatmap = page.locator('canvas.loupe-heatmap');
  await expect(heatmap, 'the overlay has a heatmap canvas (class loupe-heatmap)').toHaveCount(1);
  // A style sheet in the document and in every shadow root: everything hidden (elements re-rendered
  // later, like the boxes, included) except the heatmap canvas and the video, which stays rendered and
  // playing but black. Visibility is inherited through the flat tree, so a visible child of a hidden
  // host still shows.
  await page.evaluate(() => {
    const css = `* { visibility: hidden !important; }
      canvas.loupe-heatmap { visibility: visible !important; }
      video { visibility: visible !important; filter: brightness(0) !important; }`;
    const addTo = (root: Document | ShadowRoot): void => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) addTo(el.shadowRoot);
    };
    addTo(document);
  });
  // Let a frame or two composite with the new styles.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const rect = await videoContentRect(page);
  const png = await page.screenshot({ path: artifactPath(name), clip: rect });
  return page.evaluate(
    async ({ b64, lawn, walkway, persons, sw, sh }) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(sw, sh);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0, sw, sh); // screenshot → source pixels
      const { data } = ctx.getImageData(0, 0, sw, sh);
      const v = (x: number, y: number): number => {
        const i = 4 * (y * sw + x);
        return Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
      };
      const inRect = (r: { x: number; y: number; width: number; height: number }, x: number, y: number): boolean =>
        x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
      const lawnValues: number[] = [];
      for (let y = lawn.y; y < lawn.y + lawn.height; y++) for (let x = lawn.x; x < lawn.x + lawn.width; x++) lawnValues.push(v(x, y));
      lawnValues.sort((a, b) => a - b);
      const lawnPainted = lawnValues.filter((x) => x >= 40).length / lawnValues.length;
      const lawnP99 = lawnValues[Math.floor(lawnValues.length * 0.99)] ?? 0;
      let peak = { value: -1, x: 0, y: 0 };
      let painted = 0;
      let paintedOnPeople = 0;
      for (let y = walkway.y + 2; y < walkway.y + walkway.height - 2; y++) {
        for (let x = walkway.x + 2; x < Math.min(sw - 2, walkway.x + walkway.width - 2); x++) {
          const here = v(x, y);
          if (here >= 40) {
            painted++;
            if (persons.some((r) => inRect({ x: r.x - 16, y: r.y - 16, width: r.width + 32, height: r.height + 32 }, x, y))) paintedOnPeople++;
          }
          if (here <= peak.value) continue;
          let sum = 0;
          for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) sum += v(x + dx, y + dy);
          const mean = sum / 25;
          if (mean > peak.value) peak = { value: mean, x, y };
        }
      }
      return {
        lawnPainted,
        lawnP99,
        walkwayPeak: peak,
        walkwayPaintOnPeople: painted ? paintedOnPeople / painted : 0,
        walkwayPainted: painted / (walkway.width * walkway.height),
      };
    },
    { b64: png.toString('base64'), lawn: LAWN, walkway: WALKWAY, persons: people.flat(), sw: SOURCE_WIDTH, sh: SOURCE_HEIGHT },
  );
}

/**
 * Specs a and b: `<loupe-live backend=… layers="boxes heatmap">` on the fake camera finds people where
 * they are and its heatmap paints them, not the empty lawn.
 */
export async function checkLiveOnGpu(page: Page, backend: 'webgpu' | 'webgl', frames: number, frameTimeout: number): Promise<void> {
  await openLive(page, { backend, layers: 'boxes heatmap' });
  const state = await waitForFrames(page, frames, frameTimeout);
  expect(state.backend, 'loupe-backend fired').not.toBeNull();
  expect(state.backend!.backend, `backend chosen (skipped: ${JSON.stringify(state.backend!.skipped)})`).toBe(backend);
  expect(state.backend!.device.toLowerCase(), 'device string names the software GPU').toContain('swiftshader');
  // The GPU backend in Loupe's Worker by default (an OffscreenCanvas there), on the page with LOUPE_E2E_WORKER=0.
  expect(state.backend!.thread, `thread (${state.backend!.reason ?? ''})`).toBe(MAIN_THREAD_RUN ? 'main' : 'worker');
  expectPeopleFound(state.detections);
  await screenshotLive(page, `live-${backend}.png`);

  const stats = await measureHeatmap(page, `live-${backend}-heatmap-only.png`);
  console.log(`heatmap on ${backend}: ${JSON.stringify(stats)}`);
  expect(stats.walkwayPeak.value, 'heatmap paints strongly somewhere on the walkway').toBeGreaterThanOrEqual(100);
  const peakOnPerson = people.some((frame) =>
    frame.some((p) => contains({ x: p.x - 16, y: p.y - 16, width: p.width + 32, height: p.height + 32 }, stats.walkwayPeak)),
  );
  expect(peakOnPerson, `the walkway's brightest heatmap spot (${stats.walkwayPeak.x}, ${stats.walkwayPeak.y}) is on a person`).toBe(true);
  expect(stats.walkwayPaintOnPeople, 'share of painted walkway pixels that are on people').toBeGreaterThanOrEqual(0.6);
  expect(stats.lawnPainted, 'share of lawn pixels the heatmap paints').toBeLessThanOrEqual(0.01);
  expect(stats.lawnP99, '99th percentile of the heatmap over the lawn').toBeLessThan(40);
}
