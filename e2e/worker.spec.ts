// Worker mode (`createDetector({ worker: true })`, docs/worker.md): the engine runs in Loupe's dedicated
// Worker on WASM, gives the same detections as the main thread on the same frames, loses no tensors
// there, and its Worker is gone once the last detector is disposed.
import { expect, test } from '@playwright/test';
import type { EngineRun, ThreadComparison } from './pages/engine';
import type { DrawnCanvas, MapsRun } from './pages/maps';
import { expectPeopleFound, openLive, waitForFrames } from './helpers';

test('worker mode on wasm: same detections as the main thread on the same frames, no leak, Worker gone after dispose', async ({ page }) => {
  test.setTimeout(180_000);
  page.on('console', (msg) => console.log(`[page ${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  const workers: string[] = [];
  const closed: string[] = [];
  page.on('worker', (worker) => {
    workers.push(worker.url());
    worker.on('close', () => closed.push(worker.url()));
  });
  await page.goto('/e2e/pages/engine.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  const run = await page.evaluate(
    (o) => (window as unknown as { loupeEngine: { compareThreads(o: object): Promise<ThreadComparison> } }).loupeEngine.compareThreads(o),
    { model: 'centernet', backend: 'wasm', frames: 3 },
  );
  expect(run.main.backend).toMatchObject({ backend: 'wasm', thread: 'main', reason: 'worker: false' });
  expect(run.worker.backend).toMatchObject({ backend: 'wasm', thread: 'worker' });
  expect(run.worker.backend.reason).toBeUndefined();
  expectPeopleFound(run.worker.frames);
  for (const [i, frame] of run.worker.frames.entries()) {
    const expected = run.main.frames[i]!;
    expect(frame.letterbox).toEqual(expected.letterbox);
    expect(frame.detections.length, `frame ${i}: as many boxes`).toBe(expected.detections.length);
    expect(frame.detections.length).toBeGreaterThan(0);
    for (const [j, box] of frame.detections.entries()) {
      const other = expected.detections[j]!;
      // The same pixels through the same WASM kernels: the same boxes (to float rounding).
      expect(box.classId).toBe(other.classId);
      expect(box.cell).toEqual(other.cell);
      for (const key of ['x', 'y', 'width', 'height', 'score'] as const) expect(box[key]).toBeCloseTo(other[key], 4);
    }
  }
  console.log(`main ${run.main.frames.map((f) => Math.round(f.timings.total)).join(', ')} ms; worker ${run.worker.frames.map((f) => Math.round(f.timings.total)).join(', ')} ms`);
  // No tensor left behind per frame in the Worker; the Worker terminated once both detectors were disposed.
  expect(run.workerMemory[1]!.numTensors).toBe(run.workerMemory[0]!.numTensors);
  expect(run.workerMemoryAfterDispose).toBeNull();
  // detect(…, { trace: true }) in the Worker: the same trace as on the main thread (explainFrame works there).
  expect(run.trace.worker, 'a trace from the Worker').not.toBeNull();
  expect(run.trace.worker!.candidates).toBe(run.trace.main!.candidates);
  expect(run.trace.worker!.final.length).toBeGreaterThan(0);
  for (const [k, value] of run.trace.worker!.final.entries()) expect(value).toBeCloseTo(run.trace.main!.final[k]!, 3);
  await expect.poll(() => closed.filter((url) => url.includes('worker-entry')).length, { timeout: 10_000 }).toBe(1);
  expect(workers.filter((url) => url.includes('worker-entry'))).toHaveLength(1);
});

test('<loupe-live worker> detects in the Worker; removing it stops the camera and terminates the Worker', async ({ page }) => {
  test.setTimeout(180_000);
  const closed: string[] = [];
  const started: string[] = [];
  page.on('worker', (worker) => {
    if (!worker.url().includes('worker-entry')) return;
    started.push(worker.url());
    worker.on('close', () => closed.push(worker.url()));
  });
  await openLive(page, { backend: 'wasm', layers: 'boxes', worker: '' });
  const state = await waitForFrames(page, 3, 120_000);
  expect(state.backend).toMatchObject({ backend: 'wasm', thread: 'worker' });
  expectPeopleFound(state.detections.slice(-2));
  expect(started).toHaveLength(1);
  const tracks = await page.evaluate(() => {
    const camera = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-camera');
    const stream = (camera?.source as HTMLVideoElement | null)?.srcObject as MediaStream | null;
    (window as unknown as { cameraStream: MediaStream | null }).cameraStream = stream;
    return stream?.getTracks().filter((t) => t.readyState === 'live').length ?? 0;
  });
  expect(tracks, 'a live camera track while running').toBeGreaterThan(0);
  await page.evaluate(() => document.querySelector('loupe-live')?.remove());
  const tracksLive = await page.evaluate(() => (window as unknown as { cameraStream: MediaStream }).cameraStream.getTracks().filter((t) => t.readyState === 'live').length);
  expect(tracksLive, 'live camera tracks right after removal').toBe(0);
  // The detector disposes after the frame in flight; the last user's dispose terminates the Worker.
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { workerMemory(): Promise<unknown> }).workerMemory()), { message: 'Loupe terminated its Worker', timeout: 60_000 })
    .toBeNull();
  await expect.poll(() => closed.length, { message: 'the browser reports the Worker closed', timeout: 30_000 }).toBe(1);
});

test('<loupe-live worker="auto"> with the heatmap layer runs in the Worker and draws the heatmap there', async ({ page }) => {
  test.setTimeout(180_000);
  const started: string[] = [];
  page.on('worker', (worker) => {
    if (worker.url().includes('worker-entry')) started.push(worker.url());
  });
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap', worker: 'auto' });
  const state = await waitForFrames(page, 2, 120_000);
  expect(state.backend).toMatchObject({ backend: 'wasm', thread: 'worker' });
  expect(state.backend?.reason).toBeUndefined();
  expect(started, 'one Worker').toHaveLength(1);
  const overlay = page.locator('loupe-live').locator('loupe-overlay');
  await expect
    .poll(() => overlay.evaluate((el) => (el as unknown as { heatmapImage: { canvas: HTMLCanvasElement } | null }).heatmapImage?.canvas.width ?? 0), { timeout: 60_000 })
    .toBe(128);
  expect(await overlay.evaluate((el) => (el as unknown as { heatmapPath: string }).heatmapPath)).toBe('cpu-8bit');
});

/** Pixels that differ between two drawings of the same map (RGBA, any channel). */
function differingPixels(a: DrawnCanvas, b: DrawnCanvas): number {
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2] || a.data[i + 3] !== b.data[i + 3]) count++;
  }
  return count;
}

/** Pixels a drawing paints (alpha above 0). */
function paintedPixels(drawn: DrawnCanvas): number {
  let count = 0;
  for (let i = 3; i < drawn.data.length; i += 4) if (drawn.data[i]! > 0) count++;
  return count;
}

test('worker mode: the map layers (heatmap, offsets inspector, levels strip) draw what the main thread draws, from maps that stay in the Worker', async ({ page }) => {
  test.setTimeout(300_000);
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto('/e2e/pages/maps.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  await page.evaluate(() => (window as unknown as { loupeMaps: { capture(): Promise<unknown> } }).loupeMaps.capture());
  const show = (options: { model: string; layers: string; worker: boolean; panels?: number }) =>
    page.evaluate((o) => (window as unknown as { loupeMaps: { show(o: object): Promise<MapsRun> } }).loupeMaps.show(o), options);

  // CenterNet: heatmap + offsets (the inspector reads a box's regression cell in the Worker).
  const main = await show({ model: 'centernet', layers: 'boxes heatmap offsets', worker: false });
  const worker = await show({ model: 'centernet', layers: 'boxes heatmap offsets', worker: true });
  expect(main.backend).toMatchObject({ backend: 'wasm', thread: 'main' });
  expect(worker.backend).toMatchObject({ backend: 'wasm', thread: 'worker' });
  expect(worker.boxes).toBe(main.boxes);
  expect(main.boxes).toBeGreaterThan(0);
  expect(main.heatmapPath).toBe('cpu-8bit');
  expect(worker.heatmapPath).toBe('cpu-8bit');
  expect(main.heatmap).not.toBeNull();
  expect(worker.heatmap).not.toBeNull();
  expect({ width: worker.heatmap!.width, height: worker.heatmap!.height, placement: worker.heatmap!.placement }).toEqual({
    width: main.heatmap!.width,
    height: main.heatmap!.height,
    placement: main.heatmap!.placement,
  });
  expect(main.heatmap!.width).toBe(128);
  // The people light up: a real picture, not an empty canvas on either side.
  expect(paintedPixels(main.heatmap!)).toBeGreaterThan(100);
  expect(differingPixels(worker.heatmap!, main.heatmap!), 'heatmap pixels that differ').toBe(0);
  expect(main.inspector).toMatch(/stride 4, cell/);
  expect(worker.inspector).toBe(main.inspector);
  // Only the shown result's maps are held in the Worker (detector and overlay share one handle), and the
  // Worker is gone with the element.
  expect(worker.workerMemory?.heldMaps).toBe(1);
  expect(worker.workerGoneAfterRemoval).toBe(true);

  // NanoDet: the levels strip, one map per stride, drawn in the Worker.
  const mainLevels = await show({ model: 'nanodet', layers: 'boxes levels', worker: false, panels: 3 });
  const workerLevels = await show({ model: 'nanodet', layers: 'boxes levels', worker: true, panels: 3 });
  expect(workerLevels.backend.thread).toBe('worker');
  expect(workerLevels.panels.map((p) => [p.width, p.height, p.placement])).toEqual(mainLevels.panels.map((p) => [p.width, p.height, p.placement]));
  expect(mainLevels.panels.map((p) => p.width)).toEqual([52, 26, 13]);
  // The finest level paints the people (a coarse level may stay clear of any score on this picture).
  expect(paintedPixels(mainLevels.panels[0]!), 'stride 8 painted').toBeGreaterThan(0);
  for (const [i, panel] of workerLevels.panels.entries()) {
    expect(differingPixels(panel, mainLevels.panels[i]!), `stride ${[8, 16, 32][i]}: pixels that differ`).toBe(0);
  }
  // A level without a box says how high its map reached, read where the map lies (here or in the Worker).
  expect(workerLevels.panelNotes).toEqual(mainLevels.panelNotes);
  for (const note of mainLevels.panelNotes) expect(note).toMatch(/^no (score|box) ≥ [\d.]+\nmax \d\.\d\d$/);
  expect(workerLevels.workerGoneAfterRemoval).toBe(true);
});

test('worker mode on webgl (SwiftShader, OffscreenCanvas in the Worker): one frame finds the people', async ({ page }) => {
  // Software WebGL: ~10–30 s a frame here, plus the warm-up; one frame only.
  test.setTimeout(300_000);
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto('/e2e/pages/engine.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  const run = await page.evaluate(
    (o) => (window as unknown as { loupeEngine: { run(o: object): Promise<EngineRun> } }).loupeEngine.run(o),
    { backend: 'webgl', frames: 1, worker: true },
  );
  expect(run.backend).toMatchObject({ backend: 'webgl', thread: 'worker' });
  expect(run.backend.device).toContain('SwiftShader');
  console.log(`webgl in the Worker: ${run.frames.map((f) => Math.round(f.timings.total)).join(', ')} ms`);
  expectPeopleFound(run.frames);
});
