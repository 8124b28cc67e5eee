// The YOLOv2 face model's internals on a photo (WASM): the `levels` layer shows one objectness map per
// anchor side by side, `offsets` draws the S×S grid, each face's responsible cell and the predicted
// centre offset inside it; clicking a face shows its σ(tx), σ(ty), tw, th; `colormap` recolours the heatmap.
import { expect, test } from '@playwright/test';
import { liveState, openLive, screenshotLive, waitForFrames } from './helpers';

test('yolo-face: per-anchor objectness maps, grid, responsible cells and centre offsets', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, {
    backend: 'wasm',
    model: 'yolo-face',
    src: '/node_modules/@vladmandic/face-api/demo/sample1.jpg',
    layers: 'boxes levels offsets',
    'score-threshold': '0.5',
  });
  const state = await waitForFrames(page, 1, 120_000);
  expect(state.errors).toEqual([]);
  const result = state.detections.at(-1)!;
  expect(result.levels).toEqual([{ stride: 32, width: 13, height: 13, anchors: 5, cellOrigin: 'centre' }]);
  expect(result.detections.length).toBeGreaterThanOrEqual(3);

  const overlay = page.locator('loupe-live loupe-overlay');
  await expect.poll(() => overlay.evaluate((el) => el.shadowRoot?.querySelectorAll('.panel canvas').length ?? 0), { timeout: 60_000 }).toBe(5);
  const shown = await overlay.evaluate((el) => {
    const root = el.shadowRoot!;
    return {
      captions: [...root.querySelectorAll('.panel figcaption')].map((c) => c.textContent?.trim()),
      sizes: [...root.querySelectorAll<HTMLCanvasElement>('.panel canvas')].map((c) => [c.width, c.height]),
      grid: root.querySelectorAll('svg.offsets line.grid').length,
      cells: root.querySelectorAll('svg.offsets rect.cell').length,
      vectors: root.querySelectorAll('svg.offsets line.vector').length,
      boxes: root.querySelectorAll('.box').length,
    };
  });
  console.log(JSON.stringify(shown));
  await screenshotLive(page, 'yolo-face-levels-offsets.png');
  expect(shown.captions).toEqual(['anchor 0', 'anchor 1', 'anchor 2', 'anchor 3', 'anchor 4']);
  for (const size of shown.sizes) expect(size).toEqual([13, 13]);
  expect(shown.grid).toBe(14 + 14);
  expect(shown.cells).toBe(shown.boxes);
  expect(shown.vectors).toBe(shown.boxes); // one centre-offset vector per face (anchor-based head)

  await overlay.locator('.box').first().click({ force: true });
  await expect(overlay.locator('.inspector')).toContainText(/anchor \d/, { timeout: 30_000 });
  await expect(overlay.locator('.inspector')).toContainText(/σ\(tx\) \d\.\d\d/, { timeout: 30_000 });
  expect((await liveState(page)).errors).toEqual([]);

  // Theming: a named colour map for the heatmap, by attribute; an unknown name is a bad-option.
  const live = page.locator('loupe-live');
  await live.evaluate((el) => {
    el.setAttribute('layers', 'heatmap');
    el.setAttribute('colormap', 'viridis');
  });
  await expect
    .poll(() => overlay.evaluate((el) => el.shadowRoot?.querySelector<HTMLElement>('.legend .bar')?.style.background ?? ''), { timeout: 30_000 })
    .toContain('rgb(68, 1, 84)');
  // The PNG snapshot carries the heatmap as shown: it differs from the boxes-only one of the same photo.
  const pixelsOf = async (layers: string): Promise<number[]> => {
    await live.evaluate((el, value) => el.setAttribute('layers', value), layers);
    await expect.poll(() => overlay.evaluate((el) => (el as unknown as { heatmapImage: unknown }).heatmapImage !== null), { timeout: 30_000 }).toBe(layers.includes('heatmap'));
    return live.evaluate(async (el) => {
      const blob = await (el as unknown as { snapshot(): Promise<Blob | null> }).snapshot();
      const bitmap = await createImageBitmap(blob!);
      const canvas = new OffscreenCanvas(64, 64);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0, 64, 64);
      return Array.from(ctx.getImageData(0, 0, 64, 64).data);
    });
  };
  const boxesOnly = await pixelsOf('boxes');
  const withHeatmap = await pixelsOf('boxes heatmap');
  const changed = withHeatmap.filter((v, i) => Math.abs(v - boxesOnly[i]!) > 8).length;
  expect(changed, 'pixels the heatmap changes in the snapshot').toBeGreaterThan(50);
  await live.evaluate((el) => el.setAttribute('colormap', 'rainbow'));
  await expect.poll(async () => (await liveState(page)).errors.map((e) => e.type), { timeout: 30_000 }).toContain('bad-option');
});
