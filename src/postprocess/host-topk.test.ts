import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { topKOf } from './host-topk.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('topKOf (JS top-K for CPU-side decoders)', () => {
  it("matches tfjs's topk on random values, ties included", async () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    // Values on a coarse grid so that ties happen often.
    const values = Float32Array.from({ length: 5000 }, () => Math.round(random() * 200) / 200);
    for (const k of [1, 10, 100, 1000]) {
      const reference = tf.topk(tf.tensor1d(values), k, true);
      const expected = { scores: Array.from(await reference.values.data()), indices: Array.from(await reference.indices.data()) };
      tf.dispose([reference.values, reference.indices]);
      const ours = topKOf(values, k);
      expect(Array.from(ours.scores)).toEqual(expected.scores);
      expect(Array.from(ours.indices)).toEqual(expected.indices);
    }
  });

  it('keeps only accepted indices, asks only about contenders, and returns fewer when there are fewer', () => {
    const values = new Float32Array([0.1, 0.9, 0.5, 0.8, 0.3, 0.7]);
    const asked: number[] = [];
    const odd = topKOf(values, 2, (i) => (asked.push(i), i % 2 === 1));
    expect(Array.from(odd.indices)).toEqual([1, 3]);
    expect(odd.scores[0]).toBeCloseTo(0.9, 6);
    // Index 4 (0.3) and 5 (0.7) come after the heap holds 0.9 and 0.8: 0.3 is never asked about.
    expect(asked).not.toContain(4);
    expect(Array.from(topKOf(values, 10).indices)).toEqual([1, 3, 5, 2, 4, 0]);
    expect(Array.from(topKOf(values, 2, undefined, -Infinity, 2, 5).indices)).toEqual([3, 2]);
    expect(Array.from(topKOf(values, 10, undefined, 0.5).indices)).toEqual([1, 3, 5, 2]);
    expect(topKOf(values, 0).indices).toHaveLength(0);
  });
});
