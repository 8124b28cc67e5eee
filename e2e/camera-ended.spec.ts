// The camera goes away while in use. Playwright cannot unplug a device, and a page's own track.stop()
// fires no `ended`; the real mechanism used here is the browser ending the track itself: revoking the
// camera permission mid-session (what a user does in the site settings) makes Chromium end the live
// track with an `ended` event, exactly as it does when the device is unplugged or another application
// takes it. (Chromium runs without --use-fake-ui-for-media-stream here, so permissions are real.)
import { expect, test } from '@playwright/test';
import { chromiumArgs, chromiumPath, fakeCameraClip } from './chromium';
import { liveState, openLive, waitForFrames } from './helpers';

test.use({
  launchOptions: {
    executablePath: chromiumPath,
    args: [...chromiumArgs({ fakeCamera: false }), '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${fakeCameraClip}`],
  },
  permissions: ['camera'],
});

/** The inner camera's live video track: id and state. */
function cameraTrack(page: import('@playwright/test').Page) {
  return page.evaluate(() => {
    const camera = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-camera');
    const track = camera?.mediaStream?.getVideoTracks()[0];
    return track ? { id: track.id, state: track.readyState } : null;
  });
}

test('camera ended by the browser: camera-unavailable, frames stop, Try again brings it back', async ({ page, context }) => {
  test.setTimeout(150_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  await waitForFrames(page, 2, 90_000);
  const first = await cameraTrack(page);
  expect(first?.state).toBe('live');
  await page.evaluate(() => {
    const camera = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-camera');
    (window as unknown as { oldTrack?: MediaStreamTrack }).oldTrack = camera?.mediaStream?.getVideoTracks()[0];
  });

  // The browser ends the track (permission withdrawn: same `ended` path as an unplugged camera).
  await context.clearPermissions();
  await page.waitForFunction(() => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > 0, null, {
    timeout: 30_000,
  });
  const [error] = (await liveState(page)).errors;
  console.log(`ended: ${error!.type}: ${error!.message}`);
  expect(error!.type).toBe('camera-unavailable');
  expect(error!.message).toMatch(/stopped/);
  expect(await page.evaluate(() => (window as unknown as { oldTrack: MediaStreamTrack }).oldTrack.readyState)).toBe('ended');
  const panel = page.locator('loupe-camera [part="message"]');
  await expect(panel).toContainText(error!.message);
  // Nothing half-running: no frame source, no frames.
  await expect.poll(() => page.evaluate(() => document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-detector')?.source ?? null)).toBeNull();
  const frames = (await liveState(page)).detections.length;
  await page.waitForTimeout(2_000);
  expect((await liveState(page)).detections.length, 'frames after the camera ended').toBe(frames);

  // Try again while access is still withdrawn: the browser refuses, and now it is known why.
  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(async () => (await liveState(page)).errors.map((e) => e.type)).toEqual(['camera-unavailable', 'camera-denied']);
  await expect(panel).toContainText('Camera access was blocked');

  // Access back, Try again: a new track, and detection resumes by itself.
  await context.grantPermissions(['camera']);
  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect(panel).toBeHidden();
  await page.waitForFunction((n) => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= n, frames + 2, {
    timeout: 60_000,
  });
  const state = await liveState(page);
  expect(state.errors.map((e) => e.type)).toEqual(['camera-unavailable', 'camera-denied']);
  const second = await cameraTrack(page);
  expect(second?.state).toBe('live');
  expect(second?.id).not.toBe(first?.id);
});
