// Model files that fail are typed, announced and shown: a weights file that 404s, truncated weights, a
// corrupt graph JSON. WASM backend (fast here). The refused camera is in camera-denied.spec.ts.
import { expect, test, type Page } from '@playwright/test';
import { liveState, openLive } from './helpers';

/** Waits for the first loupe-error and returns it with the text <loupe-live> shows. */
async function firstError(page: Page): Promise<{ type: string; message: string; shown: string; status: string | null }> {
  await page.waitForFunction(() => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > 0, null, {
    timeout: 60_000,
  });
  const [error] = (await liveState(page)).errors;
  await expect(page.locator('loupe-live')).toHaveAttribute('status', 'failed');
  const shown = await page.evaluate(() => document.querySelector('loupe-live')?.shadowRoot?.textContent ?? '');
  return { ...error!, shown, status: await page.locator('loupe-live').getAttribute('status') };
}

test.describe('model files', () => {
  const cases: { name: string; file: string; body: { status: number; body?: Buffer | string }; says: RegExp }[] = [
    { name: 'weights 404', file: 'centernet.bin', body: { status: 404, body: 'not here' }, says: /centernet\.bin answered HTTP 404/ },
    { name: 'truncated weights', file: 'centernet.bin', body: { status: 200, body: Buffer.alloc(1000) }, says: /should have \d+ values/ },
    { name: 'corrupt graph JSON', file: 'centernet.json', body: { status: 200, body: '{"modelTopology": ' }, says: /JSON/ },
  ];
  for (const { name, file, body, says } of cases) {
    test(`${name}: model-load-failed, shown, no half-loaded detector`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.route(`**/models/${file}`, (route) => route.fulfill({ ...body, contentType: 'application/octet-stream' }));
      await openLive(page, { backend: 'wasm', layers: 'boxes' });
      const error = await firstError(page);
      console.log(`${name}: ${error.type}: ${error.message}`);
      expect(error.type).toBe('model-load-failed');
      expect(error.message).toContain('centernet');
      expect(error.message).toMatch(says);
      expect(error.shown).toContain(error.message);
      expect((await liveState(page)).detections).toEqual([]);
    });
  }
});
