// NanoDet live on the fake webcam (WASM: the fast backend here): it finds the clip's people, the
// `levels` layer paints each box in the colour of the level (stride) that produced it, with one
// non-empty score map per level side by side, and `offsets` draws each box's prior and its four
// distances; clicking a box pins its 4 × 11 bin distributions.
import { expect, test } from '@playwright/test';
import { expectPeopleFound, liveState, openLive, screenshotLive, waitForFrames } from './helpers';

test('NanoDet finds people; levels and offsets show where each box came from', async ({ page }) => {
  test.setTimeout(240_000);
  await openLive(page, { backend: 'wasm', model: 'nanodet', layers: 'levels offsets', 'score-threshold': '0.35' });
  const state = await waitForFrames(page, 3, 150_000);
  expect(state.errors).toEqual([]);
  const frames = state.detections.slice(-2);
  for (const frame of frames) {
    expect(frame.model).toBe('nanodet');
    expect(frame.levels.map((l) => l.stride)).toEqual([8, 16, 32]);
    for (const d of frame.detections) {
      // Each detection names its level and cell; its prior (the cell centre) lies inside its box.
      expect([8, 16, 32]).toContain(d.cell.stride);
      expect(d.cell.priorX).toBeGreaterThanOrEqual(d.x - 1);
      expect(d.cell.priorX).toBeLessThanOrEqual(d.x + d.width + 1);
      expect(d.cell.priorY).toBeGreaterThanOrEqual(d.y - 1);
      expect(d.cell.priorY).toBeLessThanOrEqual(d.y + d.height + 1);
    }
  }
  expectPeopleFound(frames);

  // Let the overlay commit a frame with its maps drawn, then read what it shows.
  const overlay = page.locator('loupe-live loupe-overlay');
  await expect.poll(() => overlay.evaluate((el) => el.shadowRoot?.querySelectorAll('.panel canvas').length ?? 0), { timeout: 60_000 }).toBe(3);
  const shown = await overlay.evaluate((el) => {
    const root = el.shadowRoot!;
    const boxes = [...root.querySelectorAll<HTMLElement>('.box')].map((b) => b.style.getPropertyValue('--c'));
    const legend = [...root.querySelectorAll('.level-legend li')].map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    // Each panel's canvas: how many cells carry any colour (the colour map is transparent at 0).
    const panels = [...root.querySelectorAll<HTMLCanvasElement>('.panel canvas')].map((canvas) => {
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(canvas, 0, 0);
      const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
      let lit = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) lit++;
      return { width: canvas.width, height: canvas.height, lit };
    });
    const vectors = root.querySelectorAll('svg.offsets line.vector').length;
    const priors = root.querySelectorAll('svg.offsets circle.prior').length;
    return { boxes, legend, panels, vectors, priors };
  });
  console.log(JSON.stringify(shown));
  await screenshotLive(page, 'nanodet-levels-offsets.png');

  // Box colours are level colours (a few distinct values, not one per class).
  expect(shown.boxes.length).toBeGreaterThan(0);
  expect(new Set(shown.boxes).size).toBeLessThanOrEqual(3);
  expect(shown.legend).toHaveLength(3);
  expect(shown.legend[0]).toMatch(/stride 8 · 52×52/);
  // One map per level at its own resolution. The clip's people are 20–90 px tall (10–50 px at 416), so
  // the stride-8 level carries their scores; coarser levels may stay below the colour map's floor.
  expect(shown.panels.map((p) => [p.width, p.height])).toEqual([
    [52, 52],
    [26, 26],
    [13, 13],
  ]);
  expect(shown.panels[0]!.lit).toBeGreaterThan(0);
  // Offsets: one prior and four distance vectors per box.
  expect(shown.priors).toBe(shown.boxes.length);
  expect(shown.vectors).toBe(4 * shown.boxes.length);

  // Clicking a box shows its bin distributions (4 sides × 11 bins).
  await page.locator('loupe-live').evaluate((el) => el.setAttribute('sync', 'frame')); // boxes hold still
  // A click pins the inspector (it follows the object across frames). The click is dispatched on the
  // box element itself: a pointer click moves the mouse first, and the boxes move with every result, so
  // the pointer can land where the box was (measured: the camera below got the click). Click again if
  // the object left the picture before its values were read.
  const inspector = overlay.locator('.inspector');
  await expect(async () => {
    if ((await inspector.count()) === 0) await overlay.locator('.box').first().dispatchEvent('click');
    await expect(inspector).toContainText(/stride (8|16|32), cell/, { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(inspector.locator('.dist')).toHaveCount(4, { timeout: 30_000 });
  await expect(inspector.locator('.dist').first().locator('rect')).toHaveCount(11);
  expect((await liveState(page)).errors).toEqual([]);
});
