// <loupe-live> reacts to attribute changes at run time (no page reload), and `sync` decides whether the
// overlay sits on the live video or on the exact frame each result was computed on. WASM: fast here.
import { expect, test, type Page } from '@playwright/test';
import { liveState, openLive, waitForFrames } from './helpers';

/** What the overlay inside <loupe-live> currently draws on. */
async function overlayPicture(page: Page): Promise<{ showFrame: boolean; picture: { width: number; height: number } | null }> {
  return page.evaluate(() => {
    const overlay = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-overlay');
    const canvas = overlay?.shadowRoot?.querySelector<HTMLCanvasElement>('canvas.loupe-analysed-frame');
    return { showFrame: overlay?.showFrame ?? false, picture: canvas ? { width: canvas.width, height: canvas.height } : null };
  });
}

test('attribute changes apply without a reload; sync shows the analysed frame', async ({ page }) => {
  test.setTimeout(240_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap', 'score-threshold': '0.3' });
  await waitForFrames(page, 2, 90_000);
  await page.evaluate(() => ((window as unknown as { pageMarker: number }).pageMarker = 42));
  const live = page.locator('loupe-live');

  // sync="frame": the overlay draws the frame the model analysed, at the source's size, under the boxes.
  await live.evaluate((el) => el.setAttribute('sync', 'frame'));
  let seen = (await liveState(page)).detections.length;
  await waitForFrames(page, seen + 2, 60_000);
  expect(await overlayPicture(page)).toEqual({ showFrame: true, picture: { width: 768, height: 576 } });
  // sync="live": back on the live video.
  await live.evaluate((el) => el.setAttribute('sync', 'live'));
  seen = (await liveState(page)).detections.length;
  await waitForFrames(page, seen + 1, 60_000);
  expect(await overlayPicture(page)).toEqual({ showFrame: false, picture: null });

  // A new threshold applies from the next frames on.
  await live.evaluate((el) => el.setAttribute('score-threshold', '0.6'));
  seen = (await liveState(page)).detections.length;
  const after = await waitForFrames(page, seen + 3, 60_000);
  // The frame in flight when the attribute changed may still use the old value: skip it.
  for (const frame of after.detections.slice(seen + 1)) {
    for (const d of frame.detections) expect(d.score).toBeGreaterThanOrEqual(0.6);
  }

  // rect-input: the 4:3 camera frames run as 512 × 384 inputs from the next load on.
  await live.evaluate((el) => el.setAttribute('rect-input', ''));
  await expect
    .poll(async () => (await liveState(page)).detections.at(-1)?.letterbox.inputHeight, { timeout: 60_000 })
    .toBe(384);
  const rect = (await liveState(page)).detections.at(-1)!;
  expect(rect.letterbox).toMatchObject({ inputWidth: 512, inputHeight: 384 });
  expect(rect.levels[0]).toMatchObject({ width: 128, height: 96 });
  await live.evaluate((el) => el.removeAttribute('rect-input'));
  await expect
    .poll(async () => (await liveState(page)).detections.at(-1)?.letterbox.inputHeight, { timeout: 60_000 })
    .toBe(512);

  // A new backend loads without a page reload and is announced.
  await live.evaluate((el) => el.setAttribute('backend', 'cpu'));
  await page.waitForFunction(
    () => {
      const s = (window as unknown as { loupeTest: { backend: { backend: string } | null; detections: { backend: string }[] } }).loupeTest;
      return s.backend?.backend === 'cpu' && s.detections.at(-1)?.backend === 'cpu';
    },
    null,
    { timeout: 150_000, polling: 500 },
  );
  const state = await liveState(page);
  expect(state.errors).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { pageMarker?: number }).pageMarker), 'same page, not reloaded').toBe(42);
});
