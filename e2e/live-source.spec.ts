/**
 * Issue 15 (point 9): pause/resume, the file picker and drag-and-drop of a picture or a video onto
 * <loupe-live> (WASM, the fake camera). A file that is neither is refused as `bad-input`, visibly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { root } from './chromium';
import { liveState, openLive, waitForFrames } from './helpers';

const PHOTO = join(root, 'models/centernet/fixtures/street-frame.jpg');
const CLIP = join(root, 'public/samples/street.webm');

const frames = async (page: Page) => (await liveState(page)).detections.length;

test('pause stops on one frame (detected once more), resume goes on', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  await waitForFrames(page, 2, 120_000);
  const pause = page.locator('loupe-live .source button.pause');
  await expect(pause).toHaveText(/Pause/);
  await pause.click();
  await expect(pause).toHaveText(/Resume/);
  await expect(page.locator('loupe-live .hud .paused')).toHaveText('Paused');
  expect(await page.locator('loupe-live').evaluate((element) => (element as unknown as { paused: boolean }).paused)).toBe(true);
  // The run in flight and the one on the paused frame may still land; then nothing more.
  await page.waitForTimeout(3_000);
  const stopped = await frames(page);
  await page.waitForTimeout(4_000);
  expect(await frames(page), 'no detections while paused').toBe(stopped);
  const time = await page.locator('loupe-live').evaluate((element) => (element as unknown as { camera: { video: HTMLVideoElement } }).camera.video.paused);
  expect(time, 'the video is paused').toBe(true);
  await pause.click();
  await expect(pause).toHaveText(/Pause/);
  await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(stopped + 1);
});

test('the file picker shows a picture (detected at its own size); a dropped video plays; a dropped text file is refused', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  await waitForFrames(page, 1, 120_000);
  const camera = () => page.locator('loupe-live').evaluate((element) => {
    const c = (element as unknown as { camera: { kind: string | null; fileName: string | null } }).camera;
    return { kind: c.kind, fileName: c.fileName };
  });
  const before = await frames(page);
  await page.locator('loupe-live input[type=file]').setInputFiles(PHOTO);
  await expect.poll(camera, { timeout: 30_000 }).toEqual({ kind: 'image', fileName: 'street-frame.jpg' });
  await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(before);
  // A still picture runs once (after a camera frame that may have been in flight): then no more.
  await page.waitForTimeout(5_000);
  const settled = await frames(page);
  await page.waitForTimeout(3_000);
  expect(await frames(page), 'a picture is detected once').toBe(settled);
  const natural = await page.locator('loupe-live').evaluate((element) => {
    const image = (element as unknown as { camera: { image: HTMLImageElement } }).camera.image;
    return [image.naturalWidth, image.naturalHeight];
  });
  const last = (await liveState(page)).detections.at(-1)!;
  expect([last.letterbox.sourceWidth, last.letterbox.sourceHeight]).toEqual(natural);
  expect(last.detections.some((d) => d.label === 'person'), 'people on the street photo').toBe(true);
  // Pause has nothing to pause on a picture.
  await expect(page.locator('loupe-live .source button.pause')).toBeDisabled();

  // Drop a video: while dragged the element says where to drop; the drop plays it.
  const drop = async (name: string, type: string, bytes: number[]) => {
    const data = await page.evaluateHandle(
      ([n, t, b]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(b as number[])], n as string, { type: t as string }));
        return transfer;
      },
      [name, type, bytes] as const,
    );
    const live = page.locator('loupe-live');
    await live.dispatchEvent('dragenter', { dataTransfer: data });
    await expect(page.locator('loupe-live [part="drop-hint"]')).toBeVisible();
    await live.dispatchEvent('drop', { dataTransfer: data });
    await expect(page.locator('loupe-live [part="drop-hint"]')).toHaveCount(0);
  };
  await drop('street.webm', 'video/webm', [...readFileSync(CLIP)]);
  await expect.poll(camera, { timeout: 60_000 }).toEqual({ kind: 'video', fileName: 'street.webm' });
  const onClip = await frames(page);
  await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(onClip + 1);
  await expect(page.locator('loupe-live .source button.pause')).toBeEnabled();

  await drop('notes.txt', 'text/plain', [104, 105]);
  await expect.poll(async () => (await liveState(page)).errors.map((e) => e.type)).toEqual(['bad-input']);
  const panel = page.locator('loupe-live loupe-camera [part="message"]');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('notes.txt is not a picture or a video (text/plain)');
  // The way back: Try again opens the camera.
  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(async () => (await camera()).kind, { timeout: 30_000 }).toBe('camera');
});
