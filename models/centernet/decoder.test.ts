// The GPU decoder must reproduce the graph's own decode (`tower_0/detections`) from the graph's raw maps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../../test/node.js';
import { computeLetterbox, letterboxFrame } from '../../src/preprocess/letterbox.js';
import { centernet } from './descriptor.js';
import { bundleMaps } from '../../src/maps.js';
import { hostOutputs } from '../../src/runtime/host-values.js';
import { ROW_WIDTH } from '../../src/model-descriptor.js';
import { centerNetHostDecode, decodeCenterNet } from './decoder.js';

describe('CenterNet decoder', () => {
  let graph: tf.GraphModel;
  let outputs: tf.Tensor[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    graph = await tf.loadGraphModel(tf.io.http(new URL(centernet.graphFile, NODE_MODEL_BASE_URL).href, { fetchFunc: fileFetch }));
    const frame = await readJpegTensor('models/centernet/fixtures/street-frame.jpg');
    const box = computeLetterbox(frame.shape[1], frame.shape[0], 512, 512);
    const input = letterboxFrame(frame, box, 0);
    outputs = graph.execute({ [centernet.input.name]: input }, ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections']) as tf.Tensor[];
    tf.dispose([frame, input]);
  });

  afterAll(() => {
    tf.dispose(outputs);
    graph.dispose();
  });

  it('reproduces tower_0/detections to 1e-3 px on a real street frame', async () => {
    const [heatmap, ltrb, reference] = outputs as [tf.Tensor4D, tf.Tensor4D, tf.Tensor3D];
    const decoded = decodeCenterNet([heatmap, ltrb], { maxDetections: 100 });
    const ours = (await decoded.rows.array()) as number[][];
    const theirs = ((await reference.array()) as number[][][])[0]!;
    decoded.rows.dispose();
    bundleMaps(decoded.maps).dispose();

    expect(ours).toHaveLength(100);
    // The frame has people in it: the top rows are confident, so ties cannot reorder them.
    expect(theirs[0]![4]).toBeGreaterThan(0.4);
    for (let row = 0; row < 20; row++) {
      const [ox1, oy1, ox2, oy2, oScore, oClass] = ours[row]!;
      const [tx1, ty1, tx2, ty2, tScore, tClass] = theirs[row]!;
      expect(Math.abs(ox1! - tx1!)).toBeLessThan(1e-3);
      expect(Math.abs(oy1! - ty1!)).toBeLessThan(1e-3);
      expect(Math.abs(ox2! - tx2!)).toBeLessThan(1e-3);
      expect(Math.abs(oy2! - ty2!)).toBeLessThan(1e-3);
      expect(Math.abs(oScore! - tScore!)).toBeLessThan(1e-6);
      expect(oClass).toBe(tClass);
      // Provenance: level 0, and the cell whose corner (4x, 4y) lies inside the box.
      const [, , , , , , level, position] = ours[row]!;
      expect(level).toBe(0);
      const cellX = position! % 128;
      const cellY = Math.floor(position! / 128);
      expect(4 * cellX).toBeGreaterThanOrEqual(ox1! - 3);
      expect(4 * cellX).toBeLessThanOrEqual(ox2! + 3);
      expect(4 * cellY).toBeGreaterThanOrEqual(oy1! - 3);
      expect(4 * cellY).toBeLessThanOrEqual(oy2! + 3);
    }
  });

  it('finds the same K (cell, class) pairs as one top-K over every heatmap value', async () => {
    const [heatmap, ltrb] = outputs as [tf.Tensor4D, tf.Tensor4D];
    const decoded = decodeCenterNet([heatmap, ltrb], { maxDetections: 100 });
    const rows = (await decoded.rows.array()) as number[][];
    decoded.rows.dispose();
    bundleMaps(decoded.maps).dispose();
    // The single-stage reference: top-100 of the 3×3 peaks over all 128·128·80 values.
    const flat = tf.tidy(() => {
      const peaks = tf.mul(heatmap, tf.cast(tf.equal(heatmap, tf.maxPool(heatmap, 3, 1, 'same')), 'float32'));
      return tf.topk(tf.reshape(peaks, [-1]), 100, true).indices;
    });
    const expected = Array.from(await flat.data());
    flat.dispose();
    expect(rows.map((row) => row[7]! * 80 + row[5]!)).toEqual(expected);
  });

  it('gives the same rows in JS (CPU backends, maps read in place) as with tfjs ops', async () => {
    const [heatmap, ltrb] = outputs as [tf.Tensor4D, tf.Tensor4D];
    const decoded = decodeCenterNet([heatmap, ltrb], { maxDetections: 100 });
    bundleMaps(decoded.maps).dispose();
    const expected = (await decoded.rows.data()) as Float32Array;
    decoded.rows.dispose();
    const ours = centerNetHostDecode.rows(hostOutputs([heatmap, ltrb])!, { maxDetections: 100 });
    expect(ours.length / ROW_WIDTH).toBe(100);
    expect(Array.from(ours)).toEqual(Array.from(expected));
    // With the caller's score threshold as a hint, the same rows up to the first one below it.
    const above = centerNetHostDecode.rows(hostOutputs([heatmap, ltrb])!, { maxDetections: 100, scoreThreshold: 0.3 });
    const count = Array.from({ length: 100 }, (_, i) => expected[i * ROW_WIDTH + 4]!).filter((score) => score >= 0.3).length;
    expect(count).toBeGreaterThan(0);
    expect(Array.from(above)).toEqual(Array.from(expected.subarray(0, count * ROW_WIDTH)));
  });

  it('keeps several classes of one cell when they outrank other cells', async () => {
    // 4×4 grid, 3 classes: cell 5 holds the two best scores (0.9 class 0, 0.8 class 2); cell 10 has 0.7.
    const values = new Float32Array(4 * 4 * 3).fill(0.01);
    values[5 * 3 + 0] = 0.9;
    values[5 * 3 + 2] = 0.8;
    values[10 * 3 + 1] = 0.7;
    const heatmap = tf.tensor4d(values, [1, 4, 4, 3]);
    const ltrb = tf.fill([1, 4, 4, 4], 2) as tf.Tensor4D;
    const decoded = decodeCenterNet([heatmap, ltrb], { maxDetections: 3 });
    const rows = (await decoded.rows.array()) as number[][];
    const onHost = centerNetHostDecode.rows(hostOutputs([heatmap, ltrb])!, { maxDetections: 3 });
    expect(Array.from(onHost)).toEqual(rows.flat());
    tf.dispose([heatmap, ltrb, decoded.rows]);
    bundleMaps(decoded.maps).dispose();
    // (score, class, cell): cell 5 = (x 1, y 1) → box (4 − 2, 4 − 2, 4 + 2, 4 + 2).
    expect(rows.map((row) => [row[4], row[5], row[7]])).toEqual([
      [expect.closeTo(0.9, 6), 0, 5],
      [expect.closeTo(0.8, 6), 2, 5],
      [expect.closeTo(0.7, 6), 1, 10],
    ]);
    expect(rows[0]!.slice(0, 4)).toEqual([2, 2, 6, 6]);
  });

  it('hands the maps over as [H, W, C] / [H, W, 4] stride-4 handles the caller releases', () => {
    const [heatmap, ltrb] = outputs as [tf.Tensor4D, tf.Tensor4D];
    const before = tf.memory().numTensors;
    const decoded = decodeCenterNet([heatmap, ltrb], { maxDetections: 10 });
    expect(decoded.rows.shape).toEqual([10, 8]);
    expect(decoded.maps.heatmap?.tensor.shape).toEqual([128, 128, 80]);
    expect(decoded.maps.ltrb?.tensor.shape).toEqual([128, 128, 4]);
    expect(decoded.maps.heatmap?.stride).toBe(4);
    decoded.rows.dispose();
    bundleMaps(decoded.maps).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('CenterNet descriptor', () => {
  it('names exactly the 80 COCO classes in the contiguous order', async () => {
    const { COCO80_LABELS } = await import('../../src/labels/coco80.js');
    expect(COCO80_LABELS).toHaveLength(80);
    expect(new Set(COCO80_LABELS).size).toBe(80);
    // Spot checks across the list: an off-by-one anywhere shifts these.
    expect([COCO80_LABELS[0], COCO80_LABELS[9], COCO80_LABELS[62], COCO80_LABELS[75], COCO80_LABELS[79]]).toEqual([
      'person', 'traffic light', 'tv', 'vase', 'toothbrush',
    ]);
    expect(centernet.labels).toBe(COCO80_LABELS);
  });
});
