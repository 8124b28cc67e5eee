// createDetector({ track }) in Node on the tfjs CPU backend, with the real CenterNet weights: the street
// frame, then the same frame moved right (the people move with it), then time going back.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../node.js';
import type { Detection, Detector } from '../../src/types.js';

/** The frame moved `dx` px to the right (the right edge wraps to the left): [H, W, 3]. */
function shiftRight(frame: tf.Tensor3D, dx: number): tf.Tensor3D {
  const width = frame.shape[1];
  return tf.tidy(() => tf.concat([tf.slice(frame, [0, width - dx, 0], [-1, dx, -1]), tf.slice(frame, [0, 0, 0], [-1, width - dx, -1])], 1));
}

function iou(a: Detection, b: Detection): number {
  const iw = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return iw <= 0 || ih <= 0 ? 0 : (iw * ih) / (a.width * a.height + b.width * b.height - iw * ih);
}

describe('createDetector({ track }) (Node, CPU backend)', () => {
  let detector: Detector;
  let frame: tf.Tensor3D;
  let moved: tf.Tensor3D;

  beforeAll(async () => {
    detector = await createDetector({ model: 'centernet', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, scoreThreshold: 0.3, track: true });
    frame = await readJpegTensor('models/centernet/fixtures/street-frame.jpg');
    moved = shiftRight(frame, 6);
  });

  afterAll(() => {
    detector?.dispose();
    frame?.dispose();
    moved?.dispose();
  });

  it('gives people stable track ids from frame to frame, and reports the tracks', async () => {
    expect(detector.runOptions.scoreThreshold).toBe(0.3);
    const first = await detector.detect(frame, { timestamp: 0 });
    const people = first.detections.filter((d) => d.label === 'person' && d.score >= 0.5);
    expect(people.length).toBeGreaterThanOrEqual(2);
    // The tracker's first frame: every confident box starts a confirmed track at once.
    for (const person of people) expect(person.trackId).toBeGreaterThan(0);
    const ids = first.detections.flatMap((d) => (d.trackId === undefined ? [] : [d.trackId]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.trackEvents?.started.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(first.tracks?.map((t) => t.id).sort()).toEqual([...ids].sort());

    // 100 ms later everything is 6 px further right: each person keeps the id of the box it came from.
    const second = await detector.detect(moved, { timestamp: 100 });
    for (const person of people) {
      const shifted = { ...person, x: person.x + 6 };
      const match = second.detections.find((d) => d.label === 'person' && iou(d, shifted) > 0.7);
      expect(match?.trackId).toBe(person.trackId);
    }
    // Boxes under scoreThreshold come back only when they continue a track.
    for (const d of second.detections) expect(d.score >= 0.3 || d.trackId !== undefined).toBe(true);
    const track = second.tracks!.find((t) => t.id === people[0]!.trackId)!;
    expect(track).toMatchObject({ state: 'confirmed', label: 'person', hits: 2, age: 100, lastSeen: 100 });
    expect(track.velocity.x).toBeGreaterThan(0);
  });

  it('starts over when the time goes back (a seek): the tracks end, new ids follow', async () => {
    const before = await detector.detect(frame, { timestamp: 200 });
    const oldIds = new Set(before.tracks!.filter((t) => t.state !== 'tentative').map((t) => t.id));
    const after = await detector.detect(frame, { timestamp: 0 });
    expect(new Set(after.trackEvents!.ended.map((t) => t.id))).toEqual(oldIds);
    for (const d of after.detections) if (d.trackId !== undefined) expect(oldIds.has(d.trackId)).toBe(false);
  });

  it('rejects bad tracker options before loading anything', async () => {
    await expect(createDetector({ model: 'centernet', backend: 'cpu', modelBaseUrl: 'file:///nonexistent/', track: { highScore: 2 } })).rejects.toMatchObject({ type: 'bad-option', message: expect.stringMatching(/highScore/) });
    await expect(detector.detect(frame, { timestamp: Number.NaN })).rejects.toMatchObject({ type: 'bad-option' });
  });
});
