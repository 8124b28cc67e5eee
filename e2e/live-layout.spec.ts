/**
 * Issue 15 (points 3, 5, 6): the demo as a visitor sees it, at 1280 and 390 px wide, on WASM (slow
 * enough that `sync="auto"` holds the analysed frame over the live video). The camera's notices and
 * picker are on screen and on top, and nothing on the stage or in the control bar overlaps or is cut
 * off, with each layer on: see e2e/layout.ts for the rules.
 */
import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import { expectCleanLayout, measureLive } from './layout';
import { openDemo, waitForHeldFrames } from './demo-page';

const WIDTHS = [1280, 390];

async function setLayers(page: Page, layers: string): Promise<void> {
  await page.locator('loupe-live').evaluate((element, value) => element.setAttribute('layers', value), layers);
}

// No camera: the demo plays its sample clip and says so in the notice.
test.use({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs({ fakeCamera: false, webgpu: false }) } });

test.describe('no camera: the sample clip, with its notice', () => {

  for (const width of WIDTHS) {
    test(`${width} px: the notice is on top of the held frame; nothing overlaps, with each layer`, async ({ page }) => {
      test.setTimeout(300_000);
      await openDemo(page, width, 'backend=wasm&layers=boxes+heatmap');
      const notice = page.locator('loupe-live loupe-camera [part="notice"]');
      await expect(notice).toContainText('No camera · showing the sample clip');
      await waitForHeldFrames(page, 3);
      const layout = await measureLive(page);
      const names = layout.chrome.map((c) => c.name);
      expect(names.some((name) => name.includes('part=notice')), 'the notice is measured').toBe(true);
      expectCleanLayout(layout, `${width} px, boxes heatmap`);
      // The way out is on top too: clicking it reaches the button (the camera is tried again).
      await expect(notice.getByRole('button', { name: 'Use camera' })).toBeVisible();
      await notice.getByRole('button', { name: 'Use camera' }).click({ trial: true });

      for (const layers of ['boxes levels', 'boxes offsets', 'boxes tracks']) {
        await setLayers(page, layers);
        await waitForHeldFrames(page, 2);
        if (layers.includes('offsets')) {
          // The inspector: pin the first box from the keyboard. On a picture 480 px wide or less there is
          // no room for it beside the boxes, and it is not shown (the box keeps its pin and its arrows).
          await page.locator('loupe-live loupe-overlay [part="box"]').first().focus();
          await page.keyboard.press('Enter');
          const inspector = page.locator('loupe-live loupe-overlay [part="inspector"]');
          if (width > 480) await expect(inspector).toBeVisible();
          else await expect(inspector).toBeHidden();
        }
        expectCleanLayout(await measureLive(page), `${width} px, ${layers}`);
      }
    });
  }
});

