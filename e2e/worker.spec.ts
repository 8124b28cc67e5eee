// Worker mode (`createDetector({ worker: true })`, docs/worker.md): the engine runs in Loupe's dedicated
// Worker on WASM, gives the same detections as the main thread on the same frames, loses no tensors
// there, and its Worker is gone once the last detector is disposed.
import { expect, test } from '@playwright/test';
import type { EngineRun, ThreadComparison } from './pages/engine';
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

test('<loupe-live worker="auto"> with the heatmap layer runs on the main thread and says why', async ({ page }) => {
  test.setTimeout(180_000);
  const started: string[] = [];
  page.on('worker', (worker) => {
    if (worker.url().includes('worker-entry')) started.push(worker.url());
  });
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap', worker: 'auto' });
  const state = await waitForFrames(page, 2, 120_000);
  expect(state.backend).toMatchObject({ backend: 'wasm', thread: 'main' });
  expect(state.backend?.reason).toContain("needs the model's maps");
  expect(started, 'no Worker started').toEqual([]);
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
