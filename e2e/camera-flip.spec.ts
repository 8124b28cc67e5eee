/**
 * Issue 15 (points 3, 9): with two cameras, the camera's picker and flip button are on screen and on top
 * of the held analysed frame (WASM, `sync="auto"`), nothing overlaps at 1280 and 390 px, and the flip
 * button opens the other camera (fake cameras say nothing of facingMode: the next one in the list).
 */
import { expect, test } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import { expectCleanLayout, measureLive } from './layout';
import { openDemo, waitForHeldFrames } from './demo-page';

const WIDTHS = [1280, 390];

// Chromium's fake capture with two devices (test patterns; no clip file, which would make one).
test.use({
  launchOptions: {
    executablePath: chromiumPath,
    args: chromiumArgs({ fakeCamera: false, webgpu: false }).concat('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=2'),
  },
  permissions: ['camera'],
});

test.describe('two cameras: the picker and the flip button', () => {

  for (const width of WIDTHS) {
    test(`${width} px: picker and flip are on top of the held frame; flip opens the other camera`, async ({ page }) => {
      test.setTimeout(240_000);
      await openDemo(page, width, 'backend=wasm&layers=boxes');
      const picker = page.locator('loupe-live loupe-camera [part="device-picker"]');
      const flip = page.locator('loupe-live loupe-camera [part="flip-button"]');
      await expect(picker).toBeVisible({ timeout: 90_000 });
      await expect(flip).toBeVisible();
      await waitForHeldFrames(page, 2);
      const layout = await measureLive(page);
      const names = layout.chrome.map((c) => c.name);
      expect(names.filter((name) => /part=(device-picker|flip-button)/.test(name)), 'picker and flip are measured').toHaveLength(2);
      expectCleanLayout(layout, `${width} px, two cameras`);

      const activeDevice = () =>
        page.locator('loupe-live').evaluate((element) => (element as unknown as { camera: { mediaStream: MediaStream | null } }).camera.mediaStream?.getVideoTracks()[0]?.getSettings().deviceId);
      const before = await activeDevice();
      expect(before).toBeTruthy();
      await flip.click();
      await expect.poll(activeDevice, { timeout: 30_000 }).not.toBe(before);
      const after = await activeDevice();
      await expect(picker).toHaveValue(after!);
      // And back: two cameras, so a second flip returns to the first.
      await flip.click();
      await expect.poll(activeDevice, { timeout: 30_000 }).toBe(before);
    });
  }
});
