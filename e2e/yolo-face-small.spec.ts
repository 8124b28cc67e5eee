// Loupe's own small-face YOLO live in <loupe-live> (WASM) on face-api's demo photo: it finds the three
// faces (those face-api's Tiny Face Detector finds there, see yolo-face.spec.ts), each box names its
// stride-8/16/32 cell, and the `levels` layer shows one face-probability map per stride.
import { expect, test } from '@playwright/test';
import { liveState, openLive, screenshotLive, waitForFrames } from './helpers';

/** face-api 1.7.15 `locateFaces` on sample1.jpg (1920×1280): x, y, w, h. */
const FACES = [
  [776.246, 445.067, 312.712, 255.971],
  [1421.815, 215.145, 307.293, 283.232],
  [335.872, 395.755, 306.266, 252.741],
] as const;

const SAMPLE_WIDTH = 1920;

test('yolo-face-small finds the faces of face-api’s demo photo, with its three levels', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, {
    backend: 'wasm',
    model: 'yolo-face-small',
    src: '/node_modules/@vladmandic/face-api/demo/sample1.jpg',
    layers: 'boxes levels offsets',
    'score-threshold': '0.5',
  });
  const state = await waitForFrames(page, 1, 120_000);
  expect(state.errors).toEqual([]);
  const result = state.detections.at(-1)!;
  expect(result.levels.map((l) => [l.stride, l.width, l.height])).toEqual([
    [8, 80, 80],
    [16, 40, 40],
    [32, 20, 20],
  ]);
  // The three faces: a detection centred inside each of face-api's boxes (WIDER's face boxes are
  // tighter than face-api's, IoU ~0.4, so IoU is no test here). The live element shows the photo at
  // its own size: face-api's boxes are scaled to it.
  const k = result.letterbox.sourceWidth / SAMPLE_WIDTH;
  const found = FACES.map(([x, y, w, h]) =>
    result.detections.some((d) => {
      const [cx, cy] = [d.x + d.width / 2, d.y + d.height / 2];
      return cx > x * k && cx < (x + w) * k && cy > y * k && cy < (y + h) * k;
    }),
  );
  console.log(`${result.detections.length} face(s): ${result.detections.map((d) => `${d.score.toFixed(2)} @ s${d.cell.stride}`).join(', ')}`);
  expect(found).toEqual([true, true, true]);
  for (const d of result.detections) {
    expect(d.label).toBe('face');
    expect([8, 16, 32]).toContain(d.cell.stride);
  }

  const overlay = page.locator('loupe-live loupe-overlay');
  await expect.poll(() => overlay.evaluate((el) => el.shadowRoot?.querySelectorAll('.panel canvas').length ?? 0), { timeout: 60_000 }).toBe(3);
  const sizes = await overlay.evaluate((el) => [...el.shadowRoot!.querySelectorAll<HTMLCanvasElement>('.panel canvas')].map((c) => [c.width, c.height]));
  expect(sizes).toEqual([
    [80, 80],
    [40, 40],
    [20, 20],
  ]);
  await screenshotLive(page, 'yolo-face-small-levels.png');
  expect((await liveState(page)).errors).toEqual([]);
});
