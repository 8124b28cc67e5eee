// Small-object mode live on the fake webcam (WASM, CenterNet): on the same frames, the mode finds at least
// as many people as one pass; switched on in <loupe-live>, its results carry the tile plan and the `tiles`
// layer draws each scale's grid, the tiles that ran, and the scale strip, which stacks below the levels
// layer's panels when both are on (NanoDet, for its three levels).
import { expect, test } from '@playwright/test';
import type { DetectionSummary } from '../models/index.js';
import { liveState, openLive, screenshotLive, waitForFrames } from './helpers';

test('small-object mode: at least as many people as one pass, and the tiles layer', async ({ page }) => {
  test.setTimeout(300_000);
  await openLive(page, { backend: 'wasm', model: 'centernet', layers: 'boxes tiles', 'score-threshold': '0.3' });
  await waitForFrames(page, 1, 150_000);

  // The same three video frames through both modes, with the element's own loop paused.
  const counts = await page.locator('loupe-live').evaluate(async (live) => {
    type Engine = { detect(source: ImageBitmap, options: { smallObjects: unknown }): Promise<{ detections: { label: string; score: number }[]; executions?: number; dispose(): void }> };
    const detector = (live as unknown as { detector: { paused: boolean; engine: Engine } }).detector;
    detector.paused = true;
    const video = (live.shadowRoot!.querySelector('loupe-camera') as unknown as { video: HTMLVideoElement }).video;
    const out: { single: number; tiled: number; executions: number }[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const bitmap = await createImageBitmap(video);
      const people = async (smallObjects: unknown) => {
        const result = await detector.engine.detect(bitmap, { smallObjects });
        result.dispose();
        return { n: result.detections.filter((d) => d.label === 'person' && d.score >= 0.3).length, executions: result.executions ?? 1 };
      };
      const single = await people(false);
      const tiled = await people('live');
      bitmap.close();
      out.push({ single: single.n, tiled: tiled.n, executions: tiled.executions });
    }
    detector.paused = false;
    return out;
  });
  console.log(JSON.stringify(counts));
  for (const { single, tiled, executions } of counts) {
    expect(single).toBeGreaterThan(0);
    expect(tiled).toBeGreaterThanOrEqual(single);
    expect(executions).toBe(4); // the live preset's budget
  }

  // Switched on in the element: results carry the plan, the overlay draws it.
  // The controls' toggle turns on the live preset (at most 4 passes a frame).
  const toggle = page.locator('loupe-live').getByRole('button', { name: 'Small-object mode' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('loupe-live')).toHaveAttribute('small-objects', 'live');
  // Two results of the mode (a frame in flight at the click may still be one pass).
  await page.waitForFunction(
    () => (window as unknown as { loupeTest: { detections: DetectionSummary[] } }).loupeTest.detections.filter((d) => d.smallObjects).length >= 2,
    null,
    { timeout: 150_000, polling: 500 },
  );
  const state = await liveState(page);
  expect(state.errors).toEqual([]);
  const last = state.detections.at(-1) as DetectionSummary;
  expect(last.executions).toBe(4);
  expect(last.smallObjects?.tiles.filter((t) => t.executed)).toHaveLength(4);
  expect(last.detections.every((d) => d.tile !== undefined)).toBe(true);

  const overlay = page.locator('loupe-live loupe-overlay');
  await expect.poll(() => overlay.evaluate((el) => el.shadowRoot?.querySelectorAll('svg.tiles rect.tile').length ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
  const shown = await overlay.evaluate((el) => {
    const root = el.shadowRoot!;
    return {
      tiles: root.querySelectorAll('svg.tiles rect.tile').length,
      picked: root.querySelectorAll('svg.tiles rect.tile.picked').length,
      skipped: root.querySelectorAll('svg.tiles rect.tile.skipped').length,
      strip: [...root.querySelectorAll('.scale-strip li')].map((li) => li.textContent?.replace(/\s+/g, ' ').trim()),
    };
  });
  console.log(JSON.stringify(shown));
  // 768×576 on 512²: scale 2 gives 384 px tiles (gain 4/3), 3 × 2 of them; the budget runs 3 (picked), skips 3.
  expect(shown.tiles).toBe(6);
  expect(shown.picked).toBe(3);
  expect(shown.skipped).toBe(3);
  expect(shown.strip[0]).toMatch(/whole frame/);
  expect(shown.strip[1]).toMatch(/×2 · 3\/6 tiles/);
  await screenshotLive(page, 'small-objects-tiles.png');

  // With the levels layer on too, its per-level panels (a multi-level model: NanoDet) sit above the level
  // legend (bottom right), the scale strip top left: none of the three overlaps another.
  await page.locator('loupe-live').evaluate((live) => {
    live.setAttribute('model', 'nanodet');
    live.setAttribute('layers', 'boxes tiles levels');
  });
  const panels = overlay.locator('.panels');
  const strip = overlay.locator('.scale-strip');
  const legend = overlay.locator('.level-legend');
  await expect(panels).toBeVisible({ timeout: 60_000 });
  await expect(strip).toBeVisible();
  await expect(legend).toBeVisible();
  const [panelBox, stripBox, legendBox] = await Promise.all([panels.boundingBox(), strip.boundingBox(), legend.boundingBox()]);
  console.log(JSON.stringify({ panelBox, stripBox, legendBox }));
  const intersect = (a: typeof panelBox, b: typeof panelBox): boolean =>
    !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  expect(panelBox!.width * panelBox!.height).toBeGreaterThan(0);
  expect(stripBox!.width * stripBox!.height).toBeGreaterThan(0);
  expect(intersect(panelBox, stripBox), 'level panels and scale strip overlap').toBe(false);
  expect(intersect(stripBox, legendBox), 'scale strip and level legend overlap').toBe(false);
  expect(intersect(panelBox, legendBox), 'level panels and level legend overlap').toBe(false);
  await screenshotLive(page, 'small-objects-tiles-levels.png');
  expect((await liveState(page)).errors).toEqual([]);
});
