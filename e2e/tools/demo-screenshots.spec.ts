// Tool, not a test (skipped unless LOUPE_DEMO_SCREENSHOTS=1): writes the demo screenshots shown in
// README.md and docs/screenshots.md (docs/screenshots/demo-<width>-<layer>.jpg, and docs/screenshot.jpg)
// from the BUILT demo (dist/, served as static files), at 1280 and 390 px wide, one per layer, on WASM with
// the street clip, and checks each against the layout rules of e2e/layout.ts before it is kept.
//   npm run build && LOUPE_DEMO_SCREENSHOTS=1 LOUPE_E2E_PORT=5192 CI=1 npx playwright test e2e/tools/demo-screenshots.spec.ts
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath, root } from '../chromium';
import { expectCleanLayout, measureLive } from '../layout';
import { waitForHeldFrames } from '../demo-page';
import { serveStatic, type StaticServer } from '../static-server';

/** One shot per layer: its name in the file, the demo's query, and what to do before the picture. */
const SHOTS: { name: string; query: string; pin?: boolean }[] = [
  { name: 'boxes', query: 'layers=boxes' },
  { name: 'heatmap', query: 'layers=boxes,heatmap' },
  { name: 'levels', query: 'model=nanodet&layers=boxes,levels' },
  { name: 'offsets', query: 'model=nanodet&layers=boxes,offsets', pin: true },
  { name: 'tiles', query: 'layers=boxes,tiles&small-objects=live' },
  // sync=frame: with track, sync="auto" keeps the live video and moves the boxes; the shot holds the frame.
  { name: 'tracks', query: 'track&sync=frame&layers=boxes,tracks' },
];
const WIDTHS = [1280, 390];
const out = join(root, 'docs/screenshots');

test.use({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs({ fakeCamera: false, webgpu: false }) } });

let site: StaticServer;
test.beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  site = await serveStatic(join(root, 'dist'));
});
test.afterAll(async () => {
  await site?.close();
});

async function shoot(page: Page, width: number, shot: (typeof SHOTS)[number]): Promise<void> {
  await page.setViewportSize({ width, height: width > 480 ? 860 : 844 });
  await page.goto(`${site.origin}/index.html?backend=wasm&src=./samples/street.webm&${shot.query}`);
  await page.waitForFunction(() => customElements.get('loupe-live') !== undefined, null, { timeout: 90_000 });
  await waitForHeldFrames(page, shot.name === 'tracks' ? 6 : 3);
  if (shot.pin && width > 480) {
    await page.locator('loupe-live loupe-overlay [part="box"]').first().focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('loupe-live loupe-overlay [part="inspector"]')).toBeVisible();
    await waitForHeldFrames(page, 1);
  }
  const layout = await measureLive(page);
  const live = page.locator('loupe-live');
  await live.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  const clip = await live.boundingBox();
  if (!clip) throw new Error('<loupe-live> is not rendered');
  await page.screenshot({ path: join(out, `demo-${width}-${shot.name}.jpg`), clip, type: 'jpeg', quality: 72 });
  if (width === 1280 && shot.name === 'heatmap') await page.screenshot({ path: join(root, 'docs/screenshot.jpg'), clip, type: 'jpeg', quality: 80 });
  // Measured before the picture, checked after it: a shot that breaks a rule is still there to look at.
  expectCleanLayout(layout, `${width} px, ${shot.name}`);
}

for (const width of WIDTHS) {
  for (const shot of SHOTS) {
    test(`demo at ${width} px, ${shot.name}`, async ({ page }) => {
      test.skip(!process.env.LOUPE_DEMO_SCREENSHOTS, 'a tool: set LOUPE_DEMO_SCREENSHOTS=1 to write docs/screenshots/*.jpg');
      test.setTimeout(300_000);
      await shoot(page, width, shot);
    });
  }
}
