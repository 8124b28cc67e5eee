// What each registered head's regression values mean, as its descriptor declares: for one lit cell of
// hand-made raw outputs, the decoder's own box must be what describeRegression reads from the regression
// map the same decoder hands over (prior ± distances, or the anchor's centre offset and size).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellOf } from '../src/pipeline.js';
import { LoupeError } from '../src/errors.js';
import { bundleMaps } from '../src/maps.js';
import type { ModelDescriptor } from '../src/model-descriptor.js';
import type { LetterboxTransform } from '../src/types.js';
import { centernet } from './centernet/descriptor.js';
import { NANODET_BINS, NANODET_LEVELS, integralDistances } from './nanodet/decoder.js';
import { nanodet } from './nanodet/descriptor.js';
import { getModelIds, getModelInfo } from './registry.js';
import { binExpectation, describeRegression, regressionChannels } from './regression.js';
import { yoloFace } from './yolo-face/descriptor.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function identity(descriptor: ModelDescriptor): LetterboxTransform {
  const { width, height } = descriptor.input;
  return { sourceWidth: width, sourceHeight: height, inputWidth: width, inputHeight: height, contentWidth: width, contentHeight: height, scaleX: 1, scaleY: 1, padX: 0, padY: 0 };
}

/**
 * Decodes `outputs` with `descriptor`, takes the best row and reads the regression map at its cell.
 * Out: the row's box (input px) and the box describeRegression gives from the map's values.
 */
async function decodedAndDescribed(descriptor: ModelDescriptor, outputs: tf.Tensor[]): Promise<{ box: number[]; described: number[] }> {
  const decoded = descriptor.decode(outputs, { maxDetections: 5 });
  const maps = bundleMaps(decoded.maps);
  try {
    const [x1, y1, x2, y2, , , level, position] = ((await decoded.rows.array()) as number[][])[0]!;
    const cell = cellOf(descriptor, level!, position!, identity(descriptor));
    const map = maps.levels![cell.level]!.regression!;
    const values = (await map.tensor.slice([cell.y, cell.x, 0], [1, 1, -1]).data()) as Float32Array;
    const reading = describeRegression(descriptor.regression!, values, cell);
    let described: number[];
    if (reading.kind === 'anchor-offsets') {
      const cx = (cell.x + reading.offsetX) * cell.stride;
      const cy = (cell.y + reading.offsetY) * cell.stride;
      described = [cx - reading.width / 2, cy - reading.height / 2, cx + reading.width / 2, cy + reading.height / 2];
    } else {
      const [left, top, right, bottom] = reading.sides.map((side) => side.px) as [number, number, number, number];
      described = [cell.priorX - left, cell.priorY - top, cell.priorX + right, cell.priorY + bottom];
    }
    return { box: [x1!, y1!, x2!, y2!], described };
  } finally {
    decoded.rows.dispose();
    maps.dispose();
    tf.dispose(outputs);
  }
}

describe('describeRegression', () => {
  it('every registered model that hands over regression maps declares what they hold', () => {
    // The ones without (Ultralytics-layout heads) return no regression map at all.
    const declared = getModelIds().filter((id) => getModelInfo(id)?.regression);
    expect(declared.sort()).toEqual(['centernet', 'nanodet', 'yolo-face']);
    expect(regressionChannels(nanodet.regression!)).toBe(44);
    expect(regressionChannels(yoloFace.regression!)).toBe(20);
    expect(regressionChannels(centernet.regression!)).toBe(4);
  });

  it('CenterNet (ltrb in input px): prior ± the four distances is the decoded box', async () => {
    const heatmap = new Float32Array(128 * 128 * 80).fill(0.01);
    const ltrb = new Float32Array(128 * 128 * 4);
    const cell = 40 * 128 + 70;
    heatmap[cell * 80 + 2] = 0.9;
    ltrb.set([12.5, 30.25, 8, 41], cell * 4);
    const { box, described } = await decodedAndDescribed(centernet, [tf.tensor4d(heatmap, [1, 128, 128, 80]), tf.tensor4d(ltrb, [1, 128, 128, 4])]);
    expect(described).toEqual(box.map((v) => expect.closeTo(v, 3)));
    expect(box).toEqual([70 * 4 - 12.5, 40 * 4 - 30.25, 70 * 4 + 8, 40 * 4 + 41]);
  });

  it('NanoDet (GFL, 4 × 11 bins): the per-side expectations times the stride give the decoded box', async () => {
    const next = random(7);
    const level = 1; // stride 16, 26 × 26
    const { width, height } = NANODET_LEVELS[level]!;
    const cell = 12 * width + 9;
    const outputs = NANODET_LEVELS.map((l, index) => {
      const scores = new Float32Array(l.width * l.height * 80);
      if (index === level) scores[cell * 80 + 0] = 0.8;
      return tf.tensor3d(scores, [1, l.width * l.height, 80]);
    });
    const logits = NANODET_LEVELS.map((l, index) => {
      const values = new Float32Array(l.width * l.height * 4 * NANODET_BINS);
      if (index === level) for (let i = 0; i < 4 * NANODET_BINS; i++) values[cell * 4 * NANODET_BINS + i] = next() * 6 - 3;
      return tf.tensor3d(values, [1, l.width * l.height, 4 * NANODET_BINS]);
    });
    const { box, described } = await decodedAndDescribed(nanodet, [...outputs, ...logits]);
    expect(described).toEqual(box.map((v) => expect.closeTo(v, 3)));
    expect(width * height).toBe(676);
  });

  it('NanoDet: the distributions are softmaxes whose expectation is the decoder’s integral', async () => {
    const next = random(11);
    const values = Float32Array.from({ length: 44 }, () => next() * 8 - 4);
    const reading = describeRegression(nanodet.regression!, values, { stride: 8, anchor: 0 });
    if (reading.kind !== 'distribution') throw new Error(reading.kind);
    const integral = integralDistances(tf.tensor2d(values, [1, 44]));
    const expected = (await integral.data()) as Float32Array;
    integral.dispose();
    reading.sides.forEach((side, index) => {
      expect(side.probabilities).toHaveLength(11);
      expect(side.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(side.cells).toBeCloseTo(expected[index]!, 5);
      expect(side.px).toBeCloseTo(expected[index]! * 8, 4);
      expect(binExpectation(values, index * 11, 11)).toBeCloseTo(side.cells, 12);
    });
    expect(reading.sides.map((side) => side.side)).toEqual(['left', 'top', 'right', 'bottom']);
  });

  it('yolo-face (YOLOv2 anchors): centre (x + σ(tx), y + σ(ty)) cells and size e^t · anchor give the decoded box', async () => {
    const cells = 13;
    const raw = new Float32Array(cells * cells * 25);
    for (let c = 0; c < cells * cells; c++) for (let a = 0; a < 5; a++) raw[c * 25 + a * 5 + 4] = -20;
    raw.set([0.4, -1.2, 0.3, -0.5, 3], (6 * cells + 4) * 25 + 3 * 5); // row 6, col 4, anchor 3
    const { box, described } = await decodedAndDescribed(yoloFace, [tf.tensor4d(raw, [1, cells, cells, 25])]);
    expect(described).toEqual(box.map((v) => expect.closeTo(v, 3)));
  });

  it('refuses values that do not match the declared head, with model-mismatch', () => {
    const call = () => describeRegression(nanodet.regression!, new Float32Array(20), { stride: 8, anchor: 0 });
    expect(call).toThrow(LoupeError);
    expect(call).toThrow(/20 channels per cell; the model declares 44 \(distribution\)/);
    expect(() => describeRegression(yoloFace.regression!, new Float32Array(20), { stride: 32, anchor: 5 })).toThrow(/Anchor 5/);
  });
});
