import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { unletterboxBoxes } from '../postprocess/unletterbox.js';
import { computeLetterbox, inputToSource, letterboxFrame } from './letterbox.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('letterbox', () => {
  it('centres the content with one scale and splits the border', () => {
    const box = computeLetterbox(768, 576, 512, 512);
    expect(box).toMatchObject({ contentWidth: 512, contentHeight: 384, padX: 0, padY: 64 });
    expect(box.scaleX).toBeCloseTo(512 / 768, 12);
    const tall = computeLetterbox(301, 640, 512, 512);
    expect(tall.contentHeight).toBe(512);
    expect(tall.contentWidth).toBe(Math.round(301 * 0.8));
    expect(tall.padX).toBe(Math.floor((512 - tall.contentWidth) / 2));
  });

  it('maps boxes back to source pixels exactly (the inverse of input = source·scale + pad)', async () => {
    for (const [w, h] of [[768, 576], [301, 640], [1920, 1080], [512, 512], [100, 37]] as const) {
      const box = computeLetterbox(w, h, 512, 512);
      const source = [[0.25 * w, 0.1 * h, 0.75 * w, 0.9 * h], [0, 0, w, h]];
      const input = source.map(([x1, y1, x2, y2]) => [
        x1! * box.scaleX + box.padX, y1! * box.scaleY + box.padY, x2! * box.scaleX + box.padX, y2! * box.scaleY + box.padY,
      ]);
      const back = unletterboxBoxes(tf.tensor2d(input), box);
      const values = (await back.array()) as number[][];
      back.dispose();
      for (let i = 0; i < source.length; i++) {
        for (let j = 0; j < 4; j++) expect(Math.abs(values[i]![j]! - source[i]![j]!)).toBeLessThan(1e-3 * Math.max(1, w / 512));
      }
      expect(inputToSource(box, box.padX, box.padY)).toEqual({ x: 0, y: 0 });
    }
  });

  it('clips boxes that reach into the padding to the source', async () => {
    const box = computeLetterbox(768, 576, 512, 512);
    const back = unletterboxBoxes(tf.tensor2d([[-20, 10, 530, 500]]), box);
    expect(await back.array()).toEqual([[0, 0, 768, 576]]);
    back.dispose();
  });

  it('puts a bright square where the transform says, on a non-square frame', async () => {
    // 300×200 black frame with a white square at x 60..120, y 50..90 (source px).
    const frame = tf.tidy(() => {
      const mask = tf.buffer([200, 300, 3], 'int32');
      for (let y = 50; y < 90; y++) for (let x = 60; x < 120; x++) for (let c = 0; c < 3; c++) mask.set(255, y, x, c);
      return mask.toTensor() as tf.Tensor3D;
    });
    const box = computeLetterbox(300, 200, 512, 512);
    const input = letterboxFrame(frame, box, 0);
    expect(input.shape).toEqual([1, 512, 512, 3]);
    const pixels = (await input.array())[0]!;
    tf.dispose([frame, input]);
    // Bright pixels (> half) span the square's image through the transform, to within one pixel of resampling.
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    pixels.forEach((row, y) => row.forEach((px, x) => {
      if (px[0]! > 127) [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x + 1), Math.max(maxY, y + 1)];
    }));
    const topLeft = inputToSource(box, minX, minY);
    const bottomRight = inputToSource(box, maxX, maxY);
    expect(Math.abs(topLeft.x - 60)).toBeLessThanOrEqual(1 / box.scaleX);
    expect(Math.abs(topLeft.y - 50)).toBeLessThanOrEqual(1 / box.scaleY);
    expect(Math.abs(bottomRight.x - 120)).toBeLessThanOrEqual(1 / box.scaleX);
    expect(Math.abs(bottomRight.y - 90)).toBeLessThanOrEqual(1 / box.scaleY);
    // The padding stays black.
    expect(pixels[0]![0]).toEqual([0, 0, 0]);
    expect(pixels[511]![511]).toEqual([0, 0, 0]);
  });
});
