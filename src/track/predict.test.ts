// Tracked boxes predicted between detections (what `<loupe-overlay predict>` draws): with the real
// tracker's velocities on a person walking at a steady speed, the box drawn 0–100 ms after a detection is
// where the person is at that time; prediction stops at MAX_PREDICTION_MS, never goes back in time, keeps
// boxes inside the picture and leaves boxes without a track alone.
import { describe, expect, it } from 'vitest';
import type { Detection, TrackSummary } from '../types.js';
import { MAX_PREDICTION_MS, predictTracked } from './predict.js';
import { Tracker } from './tracker.js';

const cell = { level: 0, stride: 4, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 };
const PICTURE = { width: 768, height: 576 };
/** Walking right at 120 px/s and down at 30 px/s, seen every 100 ms. */
const SPEED = { x: 120, y: 30 };
const at = (t: number) => ({ x: 100 + (SPEED.x * t) / 1000, y: 200 + (SPEED.y * t) / 1000, width: 40, height: 100 });

/** The tracker after `frames` detections of the walker (every 100 ms), and the last frame as a result. */
function walkerAfter(frames: number): { detections: Detection[]; tracks: TrackSummary[]; time: number } {
  const tracker = new Tracker({});
  let detections: Detection[] = [];
  let time = 0;
  for (let k = 0; k < frames; k++) {
    time = k * 100;
    const box = { ...at(time), score: 0.9, classId: 0 };
    const update = tracker.update([box], time);
    detections = [{ ...box, label: 'person', cell, trackId: update.trackIds[0]! }];
  }
  const tracks = tracker.tracks.map((track): TrackSummary => ({ ...track, box: { ...track.box }, velocity: { ...track.velocity }, label: 'person' }));
  return { detections, tracks, time };
}

describe('predictTracked', () => {
  it('moves a tracked box to where its object is at the displayed time (the tracker’s own velocity)', () => {
    const { detections, tracks, time } = walkerAfter(20);
    expect(tracks[0]!.velocity.x).toBeCloseTo(SPEED.x, -1);
    for (const ahead of [0, 33, 67, 100]) {
      const predicted = predictTracked(detections, tracks, time, time + ahead, PICTURE);
      const truth = at(time + ahead);
      expect(predicted.aheadMs).toBe(ahead);
      expect(Math.abs(predicted.detections[0]!.x - truth.x), `x at +${ahead} ms`).toBeLessThan(1);
      expect(Math.abs(predicted.detections[0]!.y - truth.y), `y at +${ahead} ms`).toBeLessThan(1);
      expect(predicted.detections[0]).toMatchObject({ width: 40, height: 100, score: 0.9, trackId: 1, label: 'person' });
      // The track's own box moves by the same amount.
      expect(predicted.tracks[0]!.box.x - tracks[0]!.box.x).toBeCloseTo(predicted.detections[0]!.x - detections[0]!.x, 6);
    }
    // The inputs are not changed.
    expect(detections[0]!.x).toBeCloseTo(at(time).x, 6);
  });

  it('goes at most MAX_PREDICTION_MS ahead, never back, and keeps boxes inside the picture', () => {
    const { detections, tracks, time } = walkerAfter(20);
    const far = predictTracked(detections, tracks, time, time + 5000, PICTURE);
    expect(far.aheadMs).toBe(MAX_PREDICTION_MS);
    expect(far.detections[0]!.x).toBeCloseTo(detections[0]!.x + (tracks[0]!.velocity.x * MAX_PREDICTION_MS) / 1000, 6);
    const back = predictTracked(detections, tracks, time, time - 300, PICTURE);
    expect(back.aheadMs).toBe(0);
    expect(back.detections[0]!.x).toBe(detections[0]!.x);
    // Near the right edge the box stops at it.
    const edge = predictTracked(detections, tracks, time, time + 400, { width: detections[0]!.x + 50, height: PICTURE.height });
    expect(edge.detections[0]!.x).toBeCloseTo(detections[0]!.x + 10, 6);
  });

  it('leaves boxes without a track where they were detected', () => {
    const { detections, tracks, time } = walkerAfter(10);
    const untracked: Detection = { x: 300, y: 50, width: 20, height: 20, score: 0.4, classId: 2, label: 'car', cell };
    const predicted = predictTracked([...detections, untracked], tracks, time, time + 100, PICTURE);
    expect(predicted.detections[1]).toBe(untracked);
    expect(predicted.detections[0]!.x).toBeGreaterThan(detections[0]!.x);
  });
});
