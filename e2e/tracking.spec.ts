// <loupe-live track> on WASM with the fake camera (the street clip): detections of confirmed tracks carry
// a trackId that stays on the same person from frame to frame, results carry their tracks, and
// loupe-track-start fires for each confirmed track. A few frames only.
import { expect, test } from '@playwright/test';
import { openLive, waitForFrames } from './helpers';
import type { Detection } from '../models/index.js';

function iou(a: Detection, b: Detection): number {
  const iw = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return iw <= 0 || ih <= 0 ? 0 : (iw * ih) / (a.width * a.height + b.width * b.height - iw * ih);
}

test('track: people keep their trackId across frames; tracks and loupe-track-start are reported', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes', track: '' });
  const state = await waitForFrames(page, 5, 150_000);
  const frames = state.detections;
  for (const frame of frames) {
    expect(frame.tracks, 'tracks on every result').toBeDefined();
    const ids = frame.detections.flatMap((d) => (d.trackId === undefined ? [] : [d.trackId]));
    expect(new Set(ids).size, 'one box per track in a frame').toBe(ids.length);
    for (const d of frame.detections) if (d.trackId !== undefined) expect(frame.tracks!.some((t) => t.id === d.trackId && t.state === 'confirmed')).toBe(true);
  }
  // The first frame's confident people start confirmed tracks at once.
  expect(frames[0]!.detections.filter((d) => d.trackId !== undefined).length).toBeGreaterThan(0);
  // Some person keeps their id into the next frame, on a box that overlaps the previous one.
  const kept = frames.slice(1).flatMap((frame, k) =>
    frame.detections.filter((d) => d.trackId !== undefined && frames[k]!.detections.some((p) => p.trackId === d.trackId && iou(p, d) > 0.3)),
  );
  console.log(`ids per frame: ${frames.map((f) => f.detections.map((d) => d.trackId ?? '-').join(',')).join(' | ')}`);
  expect(kept.length, 'boxes that kept their id from the previous frame').toBeGreaterThan(0);
  // loupe-track-start fired for every id seen on a detection, with the track's label.
  const events = await page.evaluate(() => (window as unknown as { loupeTest: { trackEvents: { type: string; id: number; label: string }[] } }).loupeTest.trackEvents);
  const started = new Set(events.filter((e) => e.type === 'start').map((e) => e.id));
  for (const frame of frames) for (const d of frame.detections) if (d.trackId !== undefined) expect(started.has(d.trackId), `start event of track ${d.trackId}`).toBe(true);
  expect(events.filter((e) => e.type === 'start').every((e) => e.label.length > 0)).toBe(true);
});
