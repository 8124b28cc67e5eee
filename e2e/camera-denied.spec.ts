// A refused camera is typed (camera-denied), announced and explained. A fake camera exists, but without
// --use-fake-ui-for-media-stream and without the permission the browser refuses getUserMedia as a user would.
import { expect, test } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import { liveState, openLive } from './helpers';

test.use({
  launchOptions: {
    executablePath: chromiumPath,
    args: [...chromiumArgs({ fakeCamera: false }), '--use-fake-device-for-media-stream'],
  },
  permissions: [],
});

test('camera-denied is announced and explained', async ({ page }) => {
  test.setTimeout(90_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  await page.waitForFunction(() => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > 0, null, {
    timeout: 60_000,
  });
  const [error] = (await liveState(page)).errors;
  console.log(`camera: ${error!.type}: ${error!.message}`);
  expect(error!.type).toBe('camera-denied');
  const shown = await page.evaluate(() => {
    const camera = document.querySelector('loupe-live')?.shadowRoot?.querySelector('loupe-camera');
    return `${document.querySelector('loupe-live')?.shadowRoot?.textContent ?? ''} ${camera?.shadowRoot?.textContent ?? ''}`;
  });
  expect(shown).toMatch(/camera/i);
  expect(shown).toMatch(/blocked|allow|denied/i);
});
