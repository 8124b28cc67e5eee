import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { computeLetterbox, inputToSource } from '../preprocess/letterbox.js';
import { COLORMAP_NAMES, colormapLut, colormapStops, isColormapName, scoreAlpha } from './colormap.js';

const COLORMAP_LUT_STRAIGHT = colormapLut('inferno', false);
const COLORMAP_LUT_PREMULTIPLIED = colormapLut('inferno', true);
import { heatmapPlacement } from './heatmap.js';

describe('heatmapPlacement', () => {
  const letterbox = computeLetterbox(768, 576, 512, 512);
  const tensor = { shape: [128, 128, 80] } as unknown as tf.Tensor3D;

  it('puts the centre of canvas pixel (x, y) on source point of input (4x, 4y) for corner-origin maps', () => {
    const rect = heatmapPlacement(letterbox, { tensor, stride: 4, cellOrigin: 'corner' });
    for (const [cx, cy] of [[0, 0], [37, 90], [127, 127]] as const) {
      // Where the canvas pixel's centre lands in source pixels…
      const shownX = rect.x + ((cx + 0.5) / 128) * rect.width;
      const shownY = rect.y + ((cy + 0.5) / 128) * rect.height;
      // …must be the source point of the cell's input point.
      const expected = inputToSource(letterbox, 4 * cx, 4 * cy);
      expect(shownX).toBeCloseTo(expected.x, 9);
      expect(shownY).toBeCloseTo(expected.y, 9);
    }
  });

  it('uses the cell centre for centre-origin maps', () => {
    const rect = heatmapPlacement(letterbox, { tensor, stride: 4, cellOrigin: 'centre' });
    const expected = inputToSource(letterbox, 4 * 10.5, 4 * 20.5);
    expect(rect.x + (10.5 / 128) * rect.width).toBeCloseTo(expected.x, 9);
    expect(rect.y + (20.5 / 128) * rect.height).toBeCloseTo(expected.y, 9);
  });
});

describe('colour map', () => {
  it('is transparent for near-zero scores and opaque-ish for confident ones', () => {
    expect(scoreAlpha(0)).toBe(0);
    expect(scoreAlpha(0.03)).toBe(0);
    expect(scoreAlpha(0.9)).toBeGreaterThan(0.8);
    expect(COLORMAP_LUT_STRAIGHT[3]).toBe(0);
    expect(COLORMAP_LUT_STRAIGHT[255 * 4 + 3]).toBeGreaterThan(200);
  });

  it('premultiplies colour by alpha in the GPU table', () => {
    const i = 128 * 4;
    const alpha = COLORMAP_LUT_STRAIGHT[i + 3]! / 255;
    expect(Math.abs(COLORMAP_LUT_PREMULTIPLIED[i]! - COLORMAP_LUT_STRAIGHT[i]! * alpha)).toBeLessThanOrEqual(1);
    expect(colormapStops()).toMatch(/^rgb\(.+ 0%, .+ 100%$/);
  });

  it('offers named maps with the same opacity ramp, and rejects unknown names', () => {
    expect(COLORMAP_NAMES).toEqual(expect.arrayContaining(['inferno', 'viridis', 'magma', 'cividis', 'turbo', 'grey']));
    for (const name of COLORMAP_NAMES) {
      const lut = colormapLut(name, false);
      expect(lut[3]).toBe(0);
      expect(lut[255 * 4 + 3]).toBe(COLORMAP_LUT_STRAIGHT[255 * 4 + 3]);
      expect(colormapStops(name)).toMatch(/^rgb\(.+ 0%, .+ 100%$/);
    }
    // viridis ends yellow (253, 231, 37); inferno ends pale yellow (250, 253, 161).
    expect(Array.from(colormapLut('viridis', false).subarray(255 * 4, 255 * 4 + 3))).toEqual([253, 231, 37]);
    expect(isColormapName('viridis')).toBe(true);
    expect(isColormapName('rainbow')).toBe(false);
    expect(isColormapName('toString')).toBe(false);
  });
});
