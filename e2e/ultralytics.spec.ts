// A user's Ultralytics TF.js export loaded by URL in the browser: `<loupe-live model="ultralytics:…">`.
// The model is a tiny, genuine graph model built by the test (models/ultralytics/tiny-graph.ts: convs,
// uint8/float16-quantised weights, an Ultralytics [1, 4+nc, N] output) and written, with its
// metadata.yaml, under e2e/fixtures/generated/ (gitignored), which the Vite dev server serves.
// Its logits are fixed so that one stride-16 cell wins on any picture: the fake camera's 768 × 576
// street clip must then give exactly that box, through Ultralytics' letterbox and its inverse.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { root } from './chromium';
import { openLive, waitForFrames } from './helpers';
import { tinyMetadataYaml, tinyUltralyticsGraph } from '../models/ultralytics/tiny-graph';

const FOLDER = 'e2e/fixtures/generated/ultralytics-tiny';
const MODEL = `ultralytics:/${FOLDER}/model.json`;

test.beforeAll(() => {
  // Column 69 = stride 16 (columns 64..79), cell (1, 1): σ(−6 + 10) = 0.982, every other column σ(−6).
  const tiny = tinyUltralyticsGraph({ colourGains: [[0, 0, 0], [0, 0, 0]], cellLogits: [{ classId: 1, column: 69, logit: 10 }], quantize: true });
  const dir = resolve(root, FOLDER);
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'model.json'), JSON.stringify(tiny.modelJson));
  writeFileSync(resolve(dir, tiny.weightsFile), tiny.weights);
  writeFileSync(resolve(dir, 'metadata.yaml'), tinyMetadataYaml(['background', 'tiny thing'], 64));
});

test('<loupe-live model="ultralytics:…/model.json"> on wasm detects the known box on the camera clip', async ({ page }) => {
  test.setTimeout(120_000);
  await openLive(page, { model: MODEL, backend: 'wasm', layers: 'boxes' });
  const state = await waitForFrames(page, 2, 90_000);
  expect(state.backend?.backend).toBe('wasm');
  for (const frame of state.detections.slice(0, 2)) {
    expect(frame.model).toBe(MODEL);
    // 768 × 576 → 64 × 64: r = 1/12, content 64 × 48, top = round(8 − 0.1) = 8. The cell's 32 × 32 box
    // around (24, 24) is input (8, 8)–(40, 40) → source ((8 − 0)·12, (8 − 8)·12)–(40·12, (40 − 8)·12).
    expect(frame.letterbox).toMatchObject({ sourceWidth: 768, sourceHeight: 576, padX: 0, padY: 8 });
    expect(frame.detections).toHaveLength(1);
    const [d] = frame.detections;
    expect(d!.label).toBe('tiny thing');
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-4)), 3);
    expect([d!.x, d!.y, d!.width, d!.height]).toEqual([96, 0, 384, 384].map((v) => expect.closeTo(v, 2)));
    expect(d!.cell).toMatchObject({ level: 1, stride: 16, x: 1, y: 1 });
    expect(frame.levels.map((l) => l.stride)).toEqual([8, 16, 32]);
  }
  await expect(page.locator('loupe-live')).toHaveAttribute('status', 'running');
});

test('an Ultralytics URL that is not there: model-load-failed naming the URL', async ({ page }) => {
  test.setTimeout(90_000);
  await openLive(page, { model: 'ultralytics:/e2e/fixtures/generated/nowhere/model.json', backend: 'wasm', layers: 'boxes' });
  await page.waitForFunction(() => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > 0, null, { timeout: 60_000 });
  const errors = await page.evaluate(() => (window as unknown as { loupeTest: { errors: { type: string; message: string }[] } }).loupeTest.errors);
  expect(errors[0]?.type).toBe('model-load-failed');
  expect(errors[0]?.message).toContain('nowhere/model.json');
});
