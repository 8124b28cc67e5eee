// Tool, not a test (skipped unless LOUPE_EXPLAIN_SCREENSHOTS=1): writes the step pictures shown on
// docs/explain.html (docs/explain/<model>-<step>.jpg) from <loupe-explain> on WASM: CenterNet and NanoDet
// on the street sample's frame at 2 s, the two face YOLOs on face-api's demo photo (the street has no face
// big enough), and NanoDet's pyramid step with small-objects (docs/explain/nanodet-pyramid.jpg). It prints
// each step's caption and text alternative, from which the docs page's captions and alts are written.
//   LOUPE_EXPLAIN_SCREENSHOTS=1 LOUPE_E2E_PORT=5192 CI=1 npx playwright test e2e/tools/explain-screenshots.spec.ts
// One model: add -g yolo-face-small (the test titles are "step pictures of <model>").
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { LoupeExplain } from '../../components/loupe-explain';

const out = fileURLToPath(new URL('../../docs/explain/', import.meta.url));

/** face-api's demo photo (1920 × 1280, three faces; an npm dependency, MIT), as in e2e/explain.spec.ts. */
const FACES = '/node_modules/@vladmandic/face-api/demo/sample1.jpg';

const sources: Record<string, string> = { centernet: '', nanodet: '', 'yolo-face': `&src=${FACES}`, 'yolo-face-small': `&src=${FACES}` };

for (const [model, source] of Object.entries(sources)) {
  test(`step pictures of ${model}`, async ({ page }) => {
    test.skip(!process.env.LOUPE_EXPLAIN_SCREENSHOTS, 'a tool: set LOUPE_EXPLAIN_SCREENSHOTS=1 to write docs/explain/*.jpg');
    test.setTimeout(240_000);
    await page.goto(`/e2e/pages/explain.html?model=${model}${source}`);
    const explainer = page.locator('loupe-explain');
    await expect(explainer).toHaveAttribute('status', 'ready', { timeout: 150_000 });
    const picture = explainer.locator('canvas[part="picture"]');
    const ids = await explainer.evaluate((element) => (element as LoupeExplain).explanation!.steps.map((step) => step.id));
    for (const [index, id] of ids.entries()) {
      await explainer.evaluate((element, i) => (element as LoupeExplain).go(i), index);
      await expect(picture).toHaveAttribute('data-step', id);
      await picture.screenshot({ path: `${out}${model}-${id}.jpg`, type: 'jpeg', quality: 60 });
      console.log(`${model}-${id}.jpg\n  caption: ${await explainer.locator('figcaption').textContent()}\n  alt: ${await picture.getAttribute('aria-label')}`);
    }
  });
}

test('the pyramid step of nanodet (small-objects)', async ({ page }) => {
  test.skip(!process.env.LOUPE_EXPLAIN_SCREENSHOTS, 'a tool: set LOUPE_EXPLAIN_SCREENSHOTS=1 to write docs/explain/*.jpg');
  test.setTimeout(240_000);
  await page.goto('/e2e/pages/explain.html?model=nanodet&small-objects=');
  const explainer = page.locator('loupe-explain');
  await expect(explainer).toHaveAttribute('status', 'ready', { timeout: 150_000 });
  await explainer.evaluate((element) => (element as LoupeExplain).go((element as LoupeExplain).explanation!.steps.length - 1));
  const picture = explainer.locator('canvas[part="picture"]');
  await expect(picture).toHaveAttribute('data-step', 'pyramid');
  await picture.screenshot({ path: `${out}nanodet-pyramid.jpg`, type: 'jpeg', quality: 60 });
  console.log(await explainer.locator('figcaption').textContent());
});
