import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROW_WIDTH } from '../model-descriptor.js';
import { computeLetterbox } from '../preprocess/letterbox.js';
import { readFinalRows } from './final-rows.js';
import { suppressRows } from './nms.js';
import { unletterboxRows } from './unletterbox.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** M crowded candidate rows, sorted by score from `top` down in equal steps: boxes on a small grid, 3 classes. */
function candidates(count: number, top: number, bottom: number): Float32Array {
  let seed = 11;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const rows = new Float32Array(count * ROW_WIDTH);
  for (let i = 0; i < count; i++) {
    const x = Math.floor(random() * 12) * 30 + random() * 10;
    const y = Math.floor(random() * 12) * 30 + random() * 10;
    const size = 20 + random() * 40;
    rows.set([x, y, x + size, y + size, top - ((top - bottom) * i) / (count - 1), i % 3, 0, i], i * ROW_WIDTH);
  }
  return rows;
}

describe('readFinalRows (GPU path: NMS on the first candidates, all of them when needed)', () => {
  const letterbox = computeLetterbox(768, 576, 416, 416);
  const iou = 0.6;

  it('gives the rows of an NMS over all candidates, at or above the threshold, whether or not the first ones settle it', async () => {
    for (const [threshold, first] of [[0.8, 64], [0.35, 64], [0.05, 64], [0.35, 1000]] as const) {
      const values = candidates(1000, 0.95, 0.01);
      const rows = tf.tensor2d(values, [1000, ROW_WIDTH]);
      const ours = await readFinalRows(rows, letterbox, 100, iou, threshold, first);
      rows.dispose();
      const expected = unletterboxRows(suppressRows(values, ROW_WIDTH, iou, threshold, 100), ROW_WIDTH, letterbox);
      const kept = (flat: Float32Array): number[][] => {
        const out: number[][] = [];
        for (let i = 0; i < flat.length; i += ROW_WIDTH) if (flat[i + 4]! >= threshold) out.push(Array.from(flat.subarray(i, i + ROW_WIDTH)));
        return out;
      };
      const [got, want] = [kept(ours), kept(expected)];
      expect(got.length, `threshold ${threshold}, first ${first}`).toBe(want.length);
      expect(got.length).toBeGreaterThan(0);
      // Same rows in the same order; boxes to float32 rounding (the backend divides in float32).
      got.forEach((row, r) => row.forEach((value, c) => expect(Math.abs(value - want[r]![c]!), `row ${r} column ${c}`).toBeLessThan(1e-3)));
    }
  });

  it('reads once when the first candidates settle the frame, twice when they do not, and frees what it made', async () => {
    const values = candidates(1000, 0.95, 0.01);
    const rows = tf.tensor2d(values, [1000, ROW_WIDTH]);
    const reads: number[] = [];
    const original = tf.Tensor.prototype.data;
    tf.Tensor.prototype.data = function (this: tf.Tensor) {
      reads.push(this.size);
      return original.call(this) as never;
    } as typeof original;
    try {
      const before = tf.memory().numTensors;
      await readFinalRows(rows, letterbox, 100, iou, 0.9, 64); // candidate 64 scores ~0.89 < 0.9: settled
      expect(reads).toHaveLength(1);
      await readFinalRows(rows, letterbox, 100, iou, 0.5, 64); // candidate 64 still above 0.5: all 1,000
      expect(reads).toHaveLength(3);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.Tensor.prototype.data = original;
      rows.dispose();
    }
  });
});
