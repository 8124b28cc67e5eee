// No camera at all: Chromium started without any fake capture device, permission granted. getUserMedia
// rejects with NotFoundError ("Requested device not found"): camera-unavailable, explained with a way out
// (Try again; the sample clip when `fallback-src` is set, which then runs detection by itself).
import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import { liveState, openLive } from './helpers';

test.use({
  launchOptions: { executablePath: chromiumPath, args: chromiumArgs({ fakeCamera: false, webgpu: false }) },
  permissions: ['camera'],
});

async function firstError(page: Page): Promise<{ type: string; message: string }> {
  await page.waitForFunction(() => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > 0, null, {
    timeout: 60_000,
  });
  return (await liveState(page)).errors[0]!;
}

test('no camera: camera-unavailable, a message and a Try again button, no frames', async ({ page }) => {
  test.setTimeout(90_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  const error = await firstError(page);
  console.log(`no camera: ${error.type}: ${error.message}`);
  expect(error.type).toBe('camera-unavailable');
  const panel = page.locator('loupe-camera [part="message"]');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('No camera available');
  await expect(panel).toContainText(error.message);
  await expect(panel.getByRole('button', { name: 'Try again' })).toBeVisible();
  // Nothing covers it: the loading card of <loupe-live> steps aside for the camera's message.
  await expect(page.locator('loupe-live .card')).toHaveCount(0);
  // The model loads anyway; with no source nothing runs, and nothing else fails.
  await expect(page.locator('loupe-live loupe-detector')).toHaveAttribute('status', 'ready', { timeout: 60_000 });
  await page.waitForTimeout(1_000);
  const state = await liveState(page);
  expect(state.detections).toEqual([]);
  expect(state.errors.map((e) => e.type)).toEqual(['camera-unavailable']);
  // Trying again with still no camera says so again (the way out works, the answer is the same).
  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(async () => (await liveState(page)).errors.length).toBe(2);
  await expect(panel).toBeVisible();
});

test('no camera with fallback-src: camera-unavailable, then the sample clip runs and says why', async ({ page }) => {
  test.setTimeout(120_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes', 'fallback-src': '/samples/street.webm' });
  const error = await firstError(page);
  expect(error.type).toBe('camera-unavailable');
  const notice = page.locator('loupe-camera [part="notice"]');
  await expect(notice).toContainText('No camera · showing the sample clip');
  await expect(notice.getByRole('button', { name: 'Use camera' })).toBeVisible();
  // Detection runs on the clip; the camera's error was the only one.
  await page.waitForFunction(() => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= 2, null, {
    timeout: 90_000,
  });
  const state = await liveState(page);
  expect(state.errors.map((e) => e.type)).toEqual(['camera-unavailable']);
  expect(state.detections.at(-1)!.detections.some((d) => d.label === 'person')).toBe(true);
});

test('an explicit WebGPU backend that cannot start falls back to auto, and says so', async ({ page }) => {
  // This file's Chromium has no WebGPU flags: navigator.gpu offers no adapter.
  test.setTimeout(90_000);
  await openLive(page, { backend: 'webgpu', layers: 'boxes', src: '/samples/street.webm' });
  await page.waitForFunction(() => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= 1, null, {
    timeout: 90_000,
  });
  const state = await liveState(page);
  // Typed and announced: a loupe-error, the report of loupe-backend, and the badge.
  expect(state.errors.map((e) => e.type)).toEqual(['backend-failed']);
  expect(state.errors[0]!.message).toMatch(/webgpu backend cannot start here: .*\. running on wasm instead\./i);
  expect(state.backend!.backend).toBe('wasm');
  expect(state.backend!.skipped[0]!.backend).toBe('webgpu');
  expect(state.backend!.skipped[0]!.reason).toMatch(/^requested, but /);
  await expect(page.locator('loupe-live [part="backend-badge"]')).toContainText('WebGPU unavailable');
});
