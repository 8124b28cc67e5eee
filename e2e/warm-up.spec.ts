// Warm-up at load on SwiftShader WebGL (CenterNet): createDetector() compiles the model's programs
// (compile-only, parallel where the context can), so the first detect() compiles none of them; with
// warmUp: false the first detect() compiles them all. Behaviour only, never times.
import { expect, test, type Page } from '@playwright/test';
import type { WarmUpRun } from './pages/warm-up';

async function runOnce(page: Page, options: { backend: string; warmUp?: boolean }): Promise<WarmUpRun> {
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto('/e2e/pages/warm-up.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  const run = await page.evaluate((o) => (window as unknown as { loupeWarmUp: { run(o: object): Promise<WarmUpRun> } }).loupeWarmUp.run(o), options);
  const { newInFirstFrame, ...rest } = run;
  console.log(JSON.stringify({ ...rest, phases: rest.phases.length, newInFirstFrame: newInFirstFrame.length, newPrograms: [...new Set(newInFirstFrame)] }));
  return run;
}

test('webgl: createDetector compiles the model at load; the first frame compiles no model program', async ({ page }) => {
  test.setTimeout(300_000);
  const run = await runOnce(page, { backend: 'webgl' });
  expect(run.backend).toBe('webgl');
  expect(run.warmUp?.mode).toBe('compile');
  expect(run.warmUp!.programs).toBeGreaterThan(30);
  expect(run.phases.filter(([phase]) => phase === 'compile').at(-1)).toEqual(['compile', 1]);
  // What the first frame may still compile: programs that depend on the frame's own size (its upload and
  // resampling: the camera gives 768×576, the warm-up fed 640×480) and the readback of the rows.
  const frameOnly = /^(FromPixels|ResizeBilinear|Pad|EncodeMatrix|DecodeMatrix)/;
  expect(run.newInFirstFrame.filter((name) => !frameOnly.test(name)), 'model or decoder programs compiled by the first frame').toEqual([]);
  expect(run.newInFirstFrame.length).toBeLessThanOrEqual(8);
  expect(run.newInSecondFrame).toBe(0);
  expect(run.people, 'the warm-up left the real frames intact').toBeGreaterThan(0);
  expect(run.tensorsAfter).toBe(run.tensorsBefore);
});

test('webgl, warmUp: false: nothing compiled at load, the first frame compiles the model', async ({ page }) => {
  test.setTimeout(300_000);
  const run = await runOnce(page, { backend: 'webgl', warmUp: false });
  expect(run.warmUp?.mode).toBe('none');
  expect(run.phases.some(([phase]) => phase === 'compile')).toBe(false);
  expect(run.newInFirstFrame.length).toBeGreaterThan(30);
  expect(run.people).toBeGreaterThan(0);
  expect(run.tensorsAfter).toBe(run.tensorsBefore);
});
