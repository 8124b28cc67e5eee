// The overlay's map references on real tensors (tfjs CPU backend): retained handles outlive the
// result's own, release frees exactly what was retained, nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleMaps, ownMap } from '../../src/maps.js';
import { channelOf, levelMapsOf, releaseLevels, retainLevels } from './overlay-maps.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function levelMaps() {
  const scores = ownMap(tf.fill([4, 4, 2], 0.5) as tf.Tensor3D, 8, 'centre');
  const regression = ownMap(tf.fill([4, 4, 44], 1) as tf.Tensor3D, 8, 'centre');
  const coarse = ownMap(tf.fill([2, 2, 2], 0.25) as tf.Tensor3D, 16, 'centre');
  return bundleMaps({ heatmap: scores, levels: [{ stride: 8, scores, regression }, { stride: 16, scores: coarse }] });
}

describe('overlay map references', () => {
  it('lists the maps per level, and a single-level result without levels as heatmap + ltrb', () => {
    const maps = levelMaps();
    expect(levelMapsOf({ maps }).map((l) => [l.stride, !!l.regression])).toEqual([
      [8, true],
      [16, false],
    ]);
    maps.dispose();
    const heatmap = ownMap(tf.zeros([3, 3, 80]) as tf.Tensor3D, 4, 'corner');
    const ltrb = ownMap(tf.zeros([3, 3, 4]) as tf.Tensor3D, 4, 'corner');
    const single = bundleMaps({ heatmap, ltrb });
    expect(levelMapsOf({ maps: single })).toEqual([{ stride: 4, scores: heatmap, regression: ltrb }]);
    single.dispose();
    expect(levelMapsOf({})).toEqual([]);
  });

  it('keeps its own references alive after the result is disposed, and releases them all', async () => {
    const before = tf.memory().numTensors;
    const maps = levelMaps();
    const held = retainLevels(levelMapsOf({ maps }));
    maps.dispose();
    expect(held.map((l) => l.scores.disposed)).toEqual([false, false]);
    expect(Array.from(await held[1]!.scores.tensor.data())).toEqual(new Array(8).fill(0.25));
    expect(held[0]!.regression?.tensor.shape).toEqual([4, 4, 44]);
    releaseLevels(held);
    expect(held.every((l) => l.scores.disposed && (l.regression?.disposed ?? true))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('skips levels whose maps are already gone', () => {
    const maps = levelMaps();
    const levels = levelMapsOf({ maps });
    maps.dispose();
    expect(retainLevels(levels)).toEqual([]);
  });

  it('cuts one anchor’s objectness out as its own [H, W, 1] map', async () => {
    const objectness = ownMap(tf.tensor3d([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]), 32, 'centre');
    const anchor = channelOf(objectness, 1);
    expect(anchor.tensor.shape).toEqual([2, 2, 1]);
    expect(Array.from(await anchor.tensor.data())).toEqual([1, 3, 5, 7]);
    expect(anchor.stride).toBe(32);
    anchor.dispose();
    objectness.dispose();
  });
});
