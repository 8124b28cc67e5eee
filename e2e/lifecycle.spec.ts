// Privacy and lifecycle on WASM (fast here): during a detection session the page requests nothing but
// its own assets and the model files; removing <loupe-live> stops the camera and frees every tensor (page or Worker);
// detection pauses while the picture is out of view or the tab is hidden.
import { expect, test } from '@playwright/test';
import { engineTensors, liveState, openLive, waitForFrames } from './helpers';

test('a session fetches only same-origin app assets and model files, and frames never leave the page', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const requests: { url: string; method: string }[] = [];
  page.on('request', (request) => requests.push({ url: request.url(), method: request.method() }));
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap' });
  await waitForFrames(page, 5, 90_000);
  const origin = new URL(baseURL!).origin;
  const foreign = requests.filter((r) => !r.url.startsWith(`${origin}/`) && !r.url.startsWith('data:') && !r.url.startsWith('blob:'));
  expect(foreign, 'requests to other origins').toEqual([]);
  expect(requests.filter((r) => r.method !== 'GET'), 'uploads (non-GET requests)').toEqual([]);
  const paths = requests.map((r) => new URL(r.url).pathname);
  expect(paths).toContain('/models/centernet.json');
  expect(paths).toContain('/models/centernet.bin');
});

test('removing <loupe-live> stops the camera tracks and releases every tensor', async ({ page }) => {
  test.setTimeout(120_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap' });
  await waitForFrames(page, 3, 90_000);
  const before = await page.evaluate(() => {
    const camera = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-camera');
    const video = camera?.source as HTMLVideoElement | null;
    const stream = video?.srcObject as MediaStream | null;
    (window as unknown as { cameraStream: MediaStream | null }).cameraStream = stream;
    return { live: stream?.getTracks().filter((t) => t.readyState === 'live').length ?? 0 };
  });
  const tensors = await engineTensors(page);
  expect(before.live, 'a live camera track while running').toBeGreaterThan(0);
  expect(tensors, 'model weights and maps on the backend (page or Worker) while running').toBeGreaterThan(0);

  await page.evaluate(() => document.querySelector('loupe-live')?.remove());
  // Tracks stop at once; the detector waits for a detect() in flight before it disposes the graph.
  const tracksLive = await page.evaluate(
    () => (window as unknown as { cameraStream: MediaStream }).cameraStream.getTracks().filter((t) => t.readyState === 'live').length,
  );
  expect(tracksLive, 'live camera tracks right after removal').toBe(0);
  // In worker mode the Worker is terminated with its last detector: nothing of it is left either.
  await expect.poll(() => engineTensors(page), { timeout: 30_000 }).toBe(0);
});

test('detection pauses while the picture is out of view or the tab is hidden, and resumes', async ({ page }) => {
  test.setTimeout(150_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  await waitForFrames(page, 2, 90_000);
  const count = async () => (await liveState(page)).detections.length;
  const idle = () => page.evaluate(() => document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-detector')?.idleReason ?? 'running');
  /** Frames that arrive over `ms`, after one in flight has settled. */
  const framesDuring = async (ms: number) => {
    await page.waitForTimeout(2_000);
    const before = await count();
    await page.waitForTimeout(ms);
    return (await count()) - before;
  };

  // Out of view: move the element far below the viewport.
  await page.evaluate(() => {
    const live = document.querySelector('loupe-live') as HTMLElement;
    live.style.position = 'absolute';
    live.style.top = '20000px';
  });
  await expect.poll(idle, { timeout: 10_000 }).toBe('out-of-view');
  expect(await framesDuring(3_000), 'frames while out of view').toBe(0);
  await page.evaluate(() => ((document.querySelector('loupe-live') as HTMLElement).style.top = '0px'));
  await expect.poll(idle, { timeout: 10_000 }).toBe('running');
  await waitForFrames(page, (await count()) + 2, 60_000);

  // Hidden tab: Playwright cannot background a page, so the test stands in for the browser's own signal.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  expect(await idle()).toBe('hidden');
  expect(await framesDuring(3_000), 'frames while the tab is hidden').toBe(0);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await waitForFrames(page, (await count()) + 2, 60_000);
});

test('moving <loupe-live> in the DOM keeps its camera stream and its model, and detection goes on', async ({ page }) => {
  test.setTimeout(120_000);
  // Count getUserMedia calls from the first script on.
  await page.addInitScript(() => {
    const media = navigator.mediaDevices;
    const original = media.getUserMedia.bind(media);
    (window as unknown as { gumCalls: number }).gumCalls = 0;
    media.getUserMedia = (constraints) => {
      (window as unknown as { gumCalls: number }).gumCalls += 1;
      return original(constraints);
    };
  });
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap' });
  await waitForFrames(page, 2, 90_000);
  const snapshot = () =>
    page.evaluate(() => {
      const w = window as unknown as { gumCalls: number; loupeTest: { progress: number[]; detections: unknown[] } };
      const camera = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-camera');
      const track = camera?.mediaStream?.getVideoTracks()[0];
      return {
        track: track?.id,
        state: track?.readyState,
        gumCalls: w.gumCalls,
        loads: w.loupeTest.progress.filter((f) => f === 0).length,
        frames: w.loupeTest.detections.length,
        parent: document.querySelector('loupe-live')?.parentElement?.id ?? 'body',
      };
    });
  const before = await snapshot();
  expect(before.gumCalls).toBe(1);

  // Remove and re-insert in one task: into a new container, then before it again.
  await page.evaluate(() => {
    const live = document.querySelector('loupe-live')!;
    const box = document.createElement('section');
    box.id = 'elsewhere';
    document.body.append(box);
    box.append(live);
  });
  await page.evaluate(() => {
    const live = document.querySelector('loupe-live')!;
    document.body.insertBefore(live, document.body.firstChild);
    document.body.insertBefore(document.getElementById('elsewhere')!, live);
    document.getElementById('elsewhere')!.append(live);
  });
  await page.waitForFunction((n) => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= n, before.frames + 3, {
    timeout: 60_000,
  });
  const after = await snapshot();
  console.log(`before ${JSON.stringify(before)}\nafter  ${JSON.stringify(after)}`);
  expect(after.parent).toBe('elsewhere');
  expect(after.track, 'the same camera track').toBe(before.track);
  expect(after.state).toBe('live');
  expect(after.gumCalls, 'getUserMedia calls').toBe(1);
  expect(after.loads, 'model loads').toBe(before.loads);
  expect((await liveState(page)).errors).toEqual([]);

  // A real removal (no re-insertion in the task) still stops the camera before the next task.
  await page.evaluate(() => {
    const live = document.querySelector('loupe-live')!;
    (window as unknown as { track?: MediaStreamTrack }).track = live.camera?.mediaStream?.getVideoTracks()[0];
    live.remove();
  });
  expect(await page.evaluate(() => (window as unknown as { track: MediaStreamTrack }).track.readyState)).toBe('ended');
});
