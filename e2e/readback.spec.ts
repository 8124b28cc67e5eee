// d. Readback budget: with the boxes layer alone on a GPU backend (WebGL: the faster software GPU here),
// the bytes the tfjs backend hands back to the CPU (backend.read + backend.readSync) per frame stay
// under 16 KB: the detections ([K, 6] floats) and shape reads, never a map or an image. On the main thread
// (worker="false"): the counter wraps the page's tfjs backend (in worker mode the reads happen in the Worker).
import { expect, test } from '@playwright/test';
import { openLive, waitForFrames } from './helpers';

const BUDGET = 16 * 1024;

test('webgl, boxes only: at most 16 KB read back per frame', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, { backend: 'webgl', layers: 'boxes', readback: '1', worker: 'false' });
  const state = await waitForFrames(page, 3, 150_000);
  expect(state.backend!.backend).toBe('webgl');
  state.readback.forEach((f, i) => console.log(`frame ${i + 1}: ${f.bytes} B in ${f.calls} reads (largest ${f.largest.join(', ')})`));
  // The counter must have seen the detections come back, or it measured nothing.
  for (const f of state.readback) expect(f.calls, 'reads counted per frame').toBeGreaterThan(0);
  for (const [i, f] of state.readback.entries()) expect(f.bytes, `bytes read back in frame ${i + 1}`).toBeLessThanOrEqual(BUDGET);
});
