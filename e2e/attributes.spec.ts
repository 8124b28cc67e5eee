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
    { on: 'live', attribute: 'score-threshold', value: '1.5', says: /score-threshold must be a number from 0 to 1; got '1.5'/, property: 'scoreThreshold', kept: 0.3 },
    { on: 'live', attribute: 'score-threshold', value: 'high', says: /score-threshold must be a number from 0 to 1/, property: 'scoreThreshold', kept: 0.3 },
    { on: 'live', attribute: 'max-detections', value: '0', says: /max-detections must be a whole number of at least 1/, property: 'maxDetections', kept: undefined },
    { on: 'live', attribute: 'sync', value: 'sometimes', says: /sync must be one of auto, frame, live; got 'sometimes'/, property: 'sync', kept: 'auto' },
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
