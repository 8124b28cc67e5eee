// Every attribute with a bad value: a `bad-option` loupe-error with a message naming the attribute, the
// previous value kept (also on <loupe-live>, which mirrors its children), and nothing restarted: the model
// is not reloaded, the camera keeps its track, detection goes on. WASM.
import { expect, test } from '@playwright/test';
import { liveState, openLive } from './helpers';

test('bad attribute values are refused one by one, the previous values stay, nothing restarts', async ({ page }) => {
  test.setTimeout(150_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes heatmap' });
  await page.waitForFunction(() => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= 2, null, {
    timeout: 90_000,
  });
  const track = () => page.evaluate(() => document.querySelector('loupe-live')!.camera!.mediaStream!.getVideoTracks()[0]!.id);
  const firstTrack = await track();

  const cases: { on: 'live' | 'camera'; attribute: string; value: string; says: RegExp; property: string; kept: unknown }[] = [
    { on: 'live', attribute: 'model', value: 'yolo9000', says: /Unknown model 'yolo9000'/, property: 'model', kept: 'centernet' },
    { on: 'live', attribute: 'backend', value: 'quantum', says: /Unknown backend 'quantum'/, property: 'backend', kept: 'wasm' },
    { on: 'live', attribute: 'score-threshold', value: '1.5', says: /score-threshold="1.5": scoreThreshold must be between 0 and 1/, property: 'scoreThreshold', kept: 0.3 },
    { on: 'live', attribute: 'score-threshold', value: 'high', says: /score-threshold="NaN": scoreThreshold must be between 0 and 1; got NaN/, property: 'scoreThreshold', kept: 0.3 },
    { on: 'live', attribute: 'max-detections', value: '0', says: /max-detections="0": maxDetections must be a whole number from 1 to/, property: 'maxDetections', kept: undefined },
    { on: 'live', attribute: 'worker', value: 'sometimes', says: /worker must be 'auto', true or false; got "sometimes"/, property: 'worker', kept: undefined },
    { on: 'live', attribute: 'sync', value: 'sometimes', says: /sync must be one of auto, frame, live, predict; got 'sometimes'/, property: 'sync', kept: 'auto' },
    { on: 'live', attribute: 'layers', value: 'boxes sparkles', says: /unknown layer\(s\) 'sparkles'/, property: 'layers', kept: 'boxes heatmap' },
    { on: 'live', attribute: 'heatmap-class', value: 'unicorn', says: /heatmap-class 'unicorn' is not a class of 'centernet'/, property: 'heatmapClass', kept: 'unicorn' },
    { on: 'live', attribute: 'facing-mode', value: 'sideways', says: /facing-mode must be 'user' or 'environment'; got 'sideways'/, property: 'facingMode', kept: 'environment' },
    { on: 'camera', attribute: 'width', value: '-640', says: /width must be a positive number of pixels; got '-640'/, property: 'width', kept: 1280 },
    { on: 'camera', attribute: 'height', value: 'tall', says: /height must be a positive number of pixels; got 'tall'/, property: 'height', kept: 720 },
  ];
  for (const { on, attribute, value, says, property, kept } of cases) {
    const before = (await liveState(page)).errors.length;
    await page.evaluate(
      ({ on, attribute, value }) => {
        const live = document.querySelector('loupe-live')!;
        (on === 'live' ? live : live.camera!).setAttribute(attribute, value);
      },
      { on, attribute, value },
    );
    await page.waitForFunction((n) => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > n, before, {
      timeout: 30_000,
      polling: 100,
    });
    // The refusal of this value (the overlay may still repeat an earlier refusal on its next draw).
    await expect.poll(async () => (await liveState(page)).errors.slice(before).some((e) => says.test(e.message))).toBe(true);
    const error = (await liveState(page)).errors.slice(before).find((e) => says.test(e.message))!;
    console.log(`${attribute}="${value}": ${error.type}: ${error.message}`);
    expect(error.type, attribute).toBe('bad-option');
    expect(error.message, attribute).toMatch(says);
    // The value in effect is the previous one (heatmap-class: kept, drawn as the maximum over classes).
    await expect
      .poll(() => page.evaluate(({ on, property }) => {
        const live = document.querySelector('loupe-live')!;
        return ((on === 'live' ? live : live.camera!) as unknown as Record<string, unknown>)[property];
      }, { on, property }))
      .toBe(kept);
    if (attribute === 'heatmap-class') await page.evaluate(() => document.querySelector('loupe-live')!.removeAttribute('heatmap-class'));
  }

  // Nothing restarted: one model load, the same camera track, frames still coming, only bad-option errors.
  const state = await liveState(page);
  expect(state.progress.filter((f) => f === 0).length, 'model loads').toBe(1);
  expect(await track(), 'camera track').toBe(firstTrack);
  expect(new Set(state.errors.map((e) => e.type))).toEqual(new Set(['bad-option']));
  const frames = state.detections.length;
  await page.waitForFunction((n) => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= n, frames + 2, {
    timeout: 60_000,
  });
});

// Removal means "back to the default", an empty value is refused, and a bad model source never lets go of
// the model that works (issue 18, points 3 and 4). WASM.
test('removed attributes go back to the default, "" is refused, a bad model keeps the working one', async ({ page }) => {
  test.setTimeout(150_000);
  await openLive(page, { backend: 'wasm', 'score-threshold': '0.6' });
  const frames = (n: number) =>
    page.waitForFunction((count) => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length >= count, n, { timeout: 90_000 });
  await frames(2);
  const effective = () =>
    page.evaluate(() => {
      const live = document.querySelector('loupe-live')!;
      return { live: live.scoreThreshold ?? null, engine: live.detector!.engine!.runOptions.scoreThreshold, shown: live.shadowRoot!.querySelector('.controls output')?.textContent };
    });
  expect(await effective()).toEqual({ live: 0.6, engine: 0.6, shown: '0.60' });

  // Removed: the model's default (CenterNet 0.3), shown in the controls; frames go on, no error.
  const errorsBefore = (await liveState(page)).errors.length;
  await page.evaluate(() => document.querySelector('loupe-live')!.removeAttribute('score-threshold'));
  await expect.poll(effective).toEqual({ live: null, engine: 0.3, shown: '0.30' });
  await frames((await liveState(page)).detections.length + 2);
  expect((await liveState(page)).errors.slice(errorsBefore)).toEqual([]);

  // Empty on the detector: refused (it is not 0, which would keep every box), the value in effect stays.
  await page.evaluate(() => document.querySelector('loupe-live')!.detector!.setAttribute('score-threshold', ''));
  await expect.poll(async () => (await liveState(page)).errors.slice(errorsBefore).map((e) => e.type)).toEqual(['bad-option']);
  expect((await effective()).engine).toBe(0.3);

  // `ultralytics:` without a URL: refused before anything is unloaded; the same model keeps running.
  const loads = (await liveState(page)).progress.filter((f) => f === 0).length;
  await page.evaluate(() => document.querySelector('loupe-live')!.setAttribute('model', 'ultralytics:'));
  await expect.poll(async () => (await liveState(page)).errors.slice(errorsBefore).length).toBe(2);
  const refusal = (await liveState(page)).errors.at(-1)!;
  expect(refusal).toMatchObject({ type: 'bad-option', message: expect.stringMatching(/needs the URL of its model\.json/) });
  expect(await page.evaluate(() => [document.querySelector('loupe-live')!.model, document.querySelector('loupe-live')!.detector!.status])).toEqual(['centernet', 'ready']);
  await frames((await liveState(page)).detections.length + 2);
  expect((await liveState(page)).progress.filter((f) => f === 0).length, 'model loads').toBe(loads);
});
