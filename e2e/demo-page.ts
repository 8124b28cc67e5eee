/** The demo page (index.html) in the specs: open it at a width, wait for frames with the analysed frame held. */
import { expect, type Page } from '@playwright/test';

export async function openDemo(page: Page, width: number, query: string): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto(`/?${query}`);
  await page.waitForFunction(() => customElements.get('loupe-live') !== undefined, null, { timeout: 60_000 });
}

/** Waits for `count` more frames on the stage, and for the analysed frame to be held (sync="auto" on WASM). */
export async function waitForHeldFrames(page: Page, count: number): Promise<void> {
  await page.evaluate((n) => {
    const live = document.querySelector('loupe-live')!;
    return new Promise<void>((resolve) => {
      let seen = 0;
      live.addEventListener('loupe-detections', function on() {
        seen += 1;
        if (seen >= n) {
          live.removeEventListener('loupe-detections', on);
          resolve();
        }
      });
    });
  }, count);
  await expect(page.locator('loupe-live loupe-overlay [part="frame"]'), 'the analysed frame is held over the video').toHaveCount(1);
  // Labels are placed after the overlay's render: let it settle.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

