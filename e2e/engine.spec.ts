// Smoke test of the engine API alone (no elements) on WASM, the fast backend: the street clip through
// the fake webcam gives people on the annotated people. Also checks the fixtures and the dev server.
import { expect, test, type Page } from '@playwright/test';
import type { EngineRun } from './pages/engine';
import { expectPeopleFound } from './helpers';

/** Opens the engine page and runs `createDetector` + `detect()` on the fake camera with `options`. */
async function runEngine(page: Page, options: { backend: string; frames: number; ingest?: string; rectInput?: boolean }): Promise<EngineRun> {
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto('/e2e/pages/engine.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  return page.evaluate((o) => (window as unknown as { loupeEngine: { run(o: object): Promise<EngineRun> } }).loupeEngine.run(o), options);
}

test('engine on wasm finds the people of the fake camera clip', async ({ page }) => {
  test.setTimeout(120_000);
  page.on('console', (msg) => console.log(`[page ${msg.type()}] ${msg.text()}`));
  const run = await runEngine(page, { backend: 'wasm', frames: 4 });
  // On WASM the browser draws the camera frame into a model-sized canvas (the default ingest there).
  expect(run.frames.map((f) => f.ingest)).toEqual(['canvas', 'canvas', 'canvas', 'canvas']);
  expect(run.cameraLabel).toContain('street.mjpeg');
  expect([run.width, run.height]).toEqual([768, 576]);
  expect(run.backend.backend).toBe('wasm');
  expect(await page.evaluate(() => crossOriginIsolated), 'dev server sends COOP/COEP (WASM threads)').toBe(true);
  console.log(run.frames.map((f) => `${Math.round(f.timings.total)} ms`).join(', '));
  expectPeopleFound(run.frames);
});

test("engine on wasm with ingest 'tensor' (tfjs resamples the frame) finds the same people", async ({ page }) => {
  test.setTimeout(120_000);
  const run = await runEngine(page, { backend: 'wasm', frames: 2, ingest: 'tensor' });
  expect(run.frames.map((f) => f.ingest)).toEqual(['tensor', 'tensor']);
  expectPeopleFound(run.frames);
});

test('engine on wasm with rectInput runs the 4:3 camera frames as 512 × 384 inputs and finds the people', async ({ page }) => {
  test.setTimeout(120_000);
  const run = await runEngine(page, { backend: 'wasm', frames: 2, rectInput: true });
  for (const frame of run.frames) {
    expect(frame.letterbox).toMatchObject({ inputWidth: 512, inputHeight: 384, padY: 0 });
    expect(frame.levels[0]).toMatchObject({ stride: 4, width: 128, height: 96 });
  }
  expectPeopleFound(run.frames);
});
