// Privacy and lifecycle on WASM (fast here): during a detection session the page requests nothing but
// its own assets and the model files; removing <loupe-live> stops the camera and frees every tensor.
import { expect, test } from '@playwright/test';
import { openLive, waitForFrames } from './helpers';

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
    const tf = (window as unknown as { tf: { memory(): { numTensors: number } } }).tf;
    return { live: stream?.getTracks().filter((t) => t.readyState === 'live').length ?? 0, tensors: tf.memory().numTensors };
  });
  expect(before.live, 'a live camera track while running').toBeGreaterThan(0);
  expect(before.tensors, 'model weights and maps on the backend while running').toBeGreaterThan(0);

  await page.evaluate(() => document.querySelector('loupe-live')?.remove());
  // Tracks stop at once; the detector waits for a detect() in flight before it disposes the graph.
  const tracksLive = await page.evaluate(
    () => (window as unknown as { cameraStream: MediaStream }).cameraStream.getTracks().filter((t) => t.readyState === 'live').length,
  );
  expect(tracksLive, 'live camera tracks right after removal').toBe(0);
  await page.waitForFunction(() => (window as unknown as { tf: { memory(): { numTensors: number } } }).tf.memory().numTensors === 0, null, {
    timeout: 30_000,
  });
});
