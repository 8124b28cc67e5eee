// The Tiny-YOLOv2 face detector in the browser (WASM, and WebGL for the GPU decode path): on face-api's own demo photo it finds the faces that
// face-api's `locateFaces` finds in Node on the same picture (the JPEG decoders differ, so boxes within IoU 0.95).
import { expect, test } from '@playwright/test';
import type { FacesRun } from './pages/faces';

const SAMPLE = '/node_modules/@vladmandic/face-api/demo/sample1.jpg';
/** face-api 1.7.15 `locateFaces` at 416, score > 0.5, on sample1.jpg decoded by jpeg-js (Node, CPU): x, y, w, h. */
const NODE_FACES_416 = [
  [776.246, 445.067, 312.712, 255.971],
  [1421.815, 215.145, 307.293, 283.232],
  [335.872, 395.755, 306.266, 252.741],
] as const;

function iou(a: readonly number[], b: readonly number[]): number {
  const [ax, ay, aw, ah] = a as [number, number, number, number];
  const [bx, by, bw, bh] = b as [number, number, number, number];
  const ix = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const iy = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  return (ix * iy) / (aw * ah + bw * bh - ix * iy);
}

for (const backend of ['wasm', 'webgl'] as const) {
  test(`yolo-face on ${backend} finds the faces of face-api’s demo photo`, async ({ page }) => {
    test.setTimeout(120_000);
    page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${msg.type()}] ${msg.text()}`);
    });
    await page.goto('/e2e/pages/faces.html');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    const run = await page.evaluate(
      ([url, b]) => (window as unknown as { loupeFaces: { run(o: object): Promise<FacesRun> } }).loupeFaces.run({ backend: b, url, frames: 3 }),
      [SAMPLE, backend] as const,
    );
    console.log(`${run.detections.length} face(s); ${run.times.map((t) => `${Math.round(t)} ms`).join(', ')}`);
    expect(run.backend.backend).toBe(backend);
    expect([run.width, run.height]).toEqual([1920, 1280]);
    expect(run.letterbox).toMatchObject({ inputWidth: 416, padX: 0, padY: 0, contentWidth: 416, contentHeight: 277 });
    expect(run.maps).toEqual({ heatmap: [13, 13, 1], objectness: [13, 13, 5], regression: [13, 13, 20] });
    expect(run.detections).toHaveLength(NODE_FACES_416.length);
    const matches = NODE_FACES_416.map((expected) => Math.max(...run.detections.map((d) => iou([d.x, d.y, d.width, d.height], expected))));
    console.log(`IoU with face-api's Node faces: ${matches.map((m) => m.toFixed(3)).join(', ')}`);
    for (const [i, best] of matches.entries()) expect(best, `a face near ${NODE_FACES_416[i]!.join(', ')}`).toBeGreaterThan(0.95);
    for (const d of run.detections) {
      expect(d.label).toBe('face');
      expect(d.score).toBeGreaterThan(0.5);
      expect(d.cell).toMatchObject({ level: 0, stride: 32 });
      // The box centre lies in its responsible 32-px cell (input px = source px · scale).
      expect(Math.floor(((d.x + d.width / 2) * run.letterbox.scaleX) / 32)).toBe(d.cell.x);
      expect(Math.floor(((d.y + d.height / 2) * run.letterbox.scaleY) / 32)).toBe(d.cell.y);
    }
  });
}
