// An <img> is detected on its natural pixels whatever size the page displays it at (issue 15): tfjs's
// fromPixels reads an image at its layout box, so a photo shown at 834 × 600 reached the model
// stretched. WASM, both ingests (the tensor one goes through fromPixels).
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { root } from './chromium';

interface Box {
  label: string;
  score: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

test('detect() of an <img> shown at any CSS size equals detect() of the same file', async ({ page }) => {
  test.setTimeout(180_000);
  await page.route('**/image-size-photo.jpg', (route) => route.fulfill({ path: join(root, 'models/centernet/fixtures/street-frame.jpg'), contentType: 'image/jpeg' }));
  await page.goto('/e2e/pages/engine.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  const runs = await page.evaluate(async () => {
    const engine = '/models/index.ts'; // served by the dev server; a variable keeps tsc off the URL
    const { createDetector } = (await import(/* @vite-ignore */ engine)) as typeof import('../models/index.js');
    const file = await (await fetch('/image-size-photo.jpg')).blob();
    const image = document.createElement('img');
    image.src = URL.createObjectURL(file);
    document.body.append(image);
    await image.decode();
    const boxes = (detections: Box[]) => detections.map(({ label, score, x, y, width, height }) => ({ label, score, x, y, width, height }));
    const out: Record<string, { natural: [number, number]; letterbox: [number, number]; reference: Box[]; shown: Record<string, Box[]> }> = {};
    for (const ingest of ['tensor', 'canvas'] as const) {
      const detector = await createDetector({ model: 'centernet', backend: 'wasm', ingest, scoreThreshold: 0.3 });
      const bitmap = await createImageBitmap(file);
      const reference = await detector.detect(bitmap);
      bitmap.close();
      const shown: Record<string, Box[]> = {};
      let letterbox: [number, number] = [0, 0];
      for (const [width, height] of [[0, 0], [834, 600], [200, 480]]) {
        image.style.width = width ? `${width}px` : '';
        image.style.height = height ? `${height}px` : '';
        const result = await detector.detect(image);
        letterbox = [result.letterbox.sourceWidth, result.letterbox.sourceHeight];
        shown[width ? `${width}x${height}` : 'natural'] = boxes(result.detections);
        result.dispose();
      }
      out[ingest] = { natural: [image.naturalWidth, image.naturalHeight], letterbox, reference: boxes(reference.detections), shown };
      reference.dispose();
      detector.dispose();
    }
    return out;
  });
  for (const [ingest, run] of Object.entries(runs)) {
    expect(run.reference.length, `${ingest}: the photo has detections`).toBeGreaterThan(0);
    expect(run.letterbox, `${ingest}: the letterbox is of the natural size`).toEqual(run.natural);
    for (const [size, detections] of Object.entries(run.shown)) {
      expect(detections.map((d) => d.label), `${ingest} ${size}`).toEqual(run.reference.map((d) => d.label));
      detections.forEach((d, i) => {
        const r = run.reference[i]!;
        expect(Math.abs(d.score - r.score), `${ingest} ${size} #${i} score`).toBeLessThan(1e-3);
        for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(d[key] - r[key]), `${ingest} ${size} #${i} ${key}`).toBeLessThan(0.5);
      });
    }
  }
});
