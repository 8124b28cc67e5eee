// yolo-face-small in Node on the tfjs CPU backend: the committed weights, loaded as the engine loads them,
// reproduce the training framework's (PyTorch's) outputs on a fixed input; rows map to their level and
// cell at strides 8, 16, 32; no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, createDetectorFor, LoupeError } from '../index.js';
import { NODE_MODEL_BASE_URL, fileFetch } from '../../test/node.js';
import type { Detector } from '../../src/types.js';
import { yoloFaceSmall, yoloFaceSmallDescriptor, yoloFaceSmallLevels } from './descriptor.js';
import { YOLO_FACE_SMALL_V2_STRIDES, loadYoloFaceSmall, runHeads, weightsFromMap, expectedShapes, type YoloFaceSmallWeights } from './network.js';
import { YOLO_FACE_SMALL_V2 } from './descriptor.js';
import { loadContext } from '../../src/runtime/load-graph.js';

interface Fixture {
  size: number;
  strides?: number[];
  output: number[][];
  clsLogitsStride8: number[];
  boxLogitsCell0: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/expected-64.json', import.meta.url), 'utf8')) as Fixture;
const weightsUrl = new URL(yoloFaceSmall.graphFile, NODE_MODEL_BASE_URL).href;

/** `training/yolo_face_small/model.py` `fixture_input`: [1, S, S, 3] RGB 0..1 (computed in float64, as there). */
function fixtureInput(size: number): tf.Tensor4D {
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = 0.5 + 0.5 * Math.sin(x * 0.21 + y * 0.13);
      data[i + 1] = 0.5 + 0.5 * Math.cos(x * 0.07 - y * 0.19);
      data[i + 2] = ((x * 3 + y * 5) % 17) / 16;
    }
  }
  return tf.tensor4d(data, [1, size, size, 3]);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
};

async function decodedWeights(url = weightsUrl, strides?: readonly number[]): Promise<YoloFaceSmallWeights> {
  const artifacts = await tf.io.http(url, { fetchFunc: fileFetch }).load!();
  return weightsFromMap(tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!), strides);
}

/** Every detection's cell lies on the grid of the level it names. */
function expectCellsOnTheirLevels(result: Awaited<ReturnType<Detector['detect']>>): void {
  for (const d of result.detections) {
    const level = result.levels[d.cell.level]!;
    expect(d.cell.stride).toBe(level.stride);
    expect(d.cell.x).toBeLessThan(level.width);
    expect(d.cell.y).toBeLessThan(level.height);
  }
}

/** Layout-A rows and raw head outputs of a network against a PyTorch fixture, to 1e-4. */
async function expectParity(url: string, expected: Fixture, strides?: readonly number[]): Promise<void> {
  const model = await loadYoloFaceSmall(loadContext(url, fileFetch), strides);
  const input = fixtureInput(expected.size);
  const [output] = await model.execute(input);
  const cells = (expected.strides ?? [8, 16, 32]).reduce((sum, s) => sum + (expected.size / s) ** 2, 0);
  expect(output!.shape).toEqual([1, 5, cells]);
  // Boxes (rows 0–3, input px) in units of the input side, so that 1e-4 means the same at any size
  // (float32 sums in another order differ by ~1e-4 px on a 30-px box); probabilities (row 4) as they are.
  const ours = (output as tf.Tensor3D).arraySync()[0]!;
  for (let row = 0; row < 5; row++) {
    const scale = row < 4 ? expected.size : 1;
    expect(maxAbsDiff(ours[row]!.map((v) => v / scale), expected.output[row]!.map((v) => v / scale))).toBeLessThan(1e-4);
  }
  const weights = await decodedWeights(url, strides);
  const heads = runHeads(weights, input);
  // The finest level's face logits, and the DFL logits of its cell (0, 0): tfjs NHWC channel c = PyTorch channel c (side·16 + bin).
  expect(maxAbsDiff(heads[0]!.cls.dataSync(), expected.clsLogitsStride8)).toBeLessThan(1e-4);
  expect(maxAbsDiff(tf.tidy(() => heads[0]!.box.slice([0, 0, 0, 0], [1, 1, 1, -1])).dataSync(), expected.boxLogitsCell0)).toBeLessThan(1e-4);
  tf.dispose([output!, input, ...heads.flatMap((h) => [h.box, h.cls]), ...weights.tensors.values()]);
  model.dispose();
}

/** Generation 2 (stride-4 P2 level): weights exported by training/ from the run's initial state, with their PyTorch fixture. */
const V2_WEIGHTS_URL = new URL('./fixtures/generation-2/yolo-face-small.json', import.meta.url).href;
const v2Fixture = JSON.parse(readFileSync(new URL('./fixtures/generation-2/fixtures/expected-64.json', import.meta.url), 'utf8')) as Fixture;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('yolo-face-small vs PyTorch (fixture from training/)', () => {
  it('reproduces the layout-A output and the raw head outputs on the fixed input to 1e-4', async () => {
    await expectParity(weightsUrl, fixture);
  });

  it('generation 2 (strides 4/8/16/32) reproduces PyTorch on the fixed input to 1e-4, and refuses v1\'s weights', async () => {
    expect(v2Fixture.strides).toEqual([...YOLO_FACE_SMALL_V2_STRIDES]);
    await expectParity(V2_WEIGHTS_URL, v2Fixture, YOLO_FACE_SMALL_V2_STRIDES);
    await expect(loadYoloFaceSmall(loadContext(weightsUrl, fileFetch), YOLO_FACE_SMALL_V2_STRIDES)).rejects.toThrow(/strides 4\/8\/16\/32: lat2\/filter is missing/);
  });

  it('gives the same detections through createDetector() as the PyTorch output, decoded and NMS-ed by hand', async () => {
    const size = fixture.size;
    const detector = await createDetector({ model: 'yolo-face-small', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, inputSize: size, scoreThreshold: 0, maxDetections: 5 });
    const frame = tf.tidy(() => tf.mul(tf.squeeze(fixtureInput(size), [0]), 255) as tf.Tensor3D);
    const result = await detector.detect(frame);
    // Expected: PyTorch's columns by score, greedy NMS at IoU 0.5 (input px; the frame is the input), clipped.
    const [cx, cy, w, h, score] = fixture.output as [number[], number[], number[], number[], number[]];
    const order = score.map((_, i) => i).sort((a, b) => score[b]! - score[a]!);
    const box = (i: number) => [cx[i]! - w[i]! / 2, cy[i]! - h[i]! / 2, cx[i]! + w[i]! / 2, cy[i]! + h[i]! / 2] as const;
    const iou = (a: readonly number[], b: readonly number[]) => {
      const inter = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!)) * Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
      return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
    };
    const kept: number[] = [];
    for (const i of order) if (kept.length < 5 && kept.every((k) => iou(box(k), box(i)) <= 0.5)) kept.push(i);
    expect(result.detections).toHaveLength(kept.length);
    result.detections.forEach((d, j) => {
      const [x1, y1, x2, y2] = box(kept[j]!).map((v) => Math.min(size, Math.max(0, v)));
      expect(d.score).toBeCloseTo(score[kept[j]!]!, 4);
      expect(Math.abs(d.x - x1!)).toBeLessThan(1e-3);
      expect(Math.abs(d.y - y1!)).toBeLessThan(1e-3);
      expect(Math.abs(d.x + d.width - x2!)).toBeLessThan(1e-3);
      expect(Math.abs(d.y + d.height - y2!)).toBeLessThan(1e-3);
    });
    frame.dispose();
    detector.dispose();
  });

  it('refuses weights of another architecture', () => {
    const map: tf.NamedTensorMap = {};
    for (const [name, shape] of expectedShapes()) map[name] = tf.zeros(name === 'lat3/filter' ? [1, 1, 64, 64] : shape);
    delete map['cls_out/bias'];
    const before = tf.memory().numTensors;
    expect(() => weightsFromMap(map)).toThrow(LoupeError);
    expect(() => weightsFromMap(map)).toThrow(/lat3\/filter is \[1, 1, 64, 64\].*cls_out\/bias is missing/);
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});

describe('yolo-face-small decoding: levels and cells of strides 8, 16, 32', () => {
  it('describes its grids at any multiple of 32 and refuses other sizes', () => {
    expect(yoloFaceSmall.levels.map((l) => [l.stride, l.width, l.height])).toEqual([
      [8, 80, 80],
      [16, 40, 40],
      [32, 20, 20],
    ]);
    expect(yoloFaceSmallDescriptor(96).levels.map((l) => l.width)).toEqual([12, 6, 3]);
    expect(() => yoloFaceSmallDescriptor(100)).toThrow(LoupeError);
    expect(() => yoloFaceSmallDescriptor(32)).toThrow(LoupeError);
  });

  it('maps a lit column of each level to its level and cell, with its box in input px', () => {
    const size = 128;
    const descriptor = yoloFaceSmallDescriptor(size);
    const levels = yoloFaceSmallLevels(size);
    const starts = [0, 16 * 16, 16 * 16 + 8 * 8];
    const count = starts[2]! + 4 * 4;
    const cases = [
      { level: 0, x: 5, y: 11 },
      { level: 1, x: 3, y: 2 },
      { level: 2, x: 1, y: 3 },
    ];
    for (const { level, x, y } of cases) {
      const { stride, width } = levels[level]!;
      const column = starts[level]! + y * width + x;
      const table = new Float32Array(5 * count);
      const centre = [(x + 0.5) * stride, (y + 0.5) * stride];
      table[column] = centre[0]!;
      table[count + column] = centre[1]!;
      table[2 * count + column] = 10;
      table[3 * count + column] = 12;
      table[4 * count + column] = 0.9;
      const output = tf.tensor3d(table, [1, 5, count]);
      const before = tf.memory().numTensors;
      const decoded = descriptor.decode([output], { maxDetections: 10 });
      const row = decoded.rows.arraySync()[0]!;
      expect(row).toEqual([centre[0]! - 5, centre[1]! - 6, centre[0]! + 5, centre[1]! + 6, expect.closeTo(0.9, 6), 0, level, y * width + x]);
      // Per-level score maps: the lit cell holds the score at its level.
      const maps = decoded.maps.levels!;
      expect(maps.map((m) => m.stride)).toEqual([8, 16, 32]);
      expect(maps[level]!.scores.tensor.shape).toEqual([size / stride, size / stride, 1]);
      expect((maps[level]!.scores.tensor.arraySync() as number[][][])[y]![x]![0]).toBeCloseTo(0.9, 6);
      decoded.rows.dispose();
      for (const m of maps) m.scores.tensor.dispose();
      expect(tf.memory().numTensors).toBe(before);
      output.dispose();
    }
  });
});

describe('yolo-face-small in the engine', () => {
  let detector: Detector;
  let frame: tf.Tensor3D;
  beforeAll(async () => {
    detector = await createDetector({ model: 'yolo-face-small', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, inputSize: 128, scoreThreshold: 0 });
    frame = tf.tidy(() => tf.cast(tf.mul(tf.squeeze(fixtureInput(96), [0]), 255), 'int32') as tf.Tensor3D);
  });
  afterAll(() => frame?.dispose());

  it('reports each detection\'s level and cell, leaks no tensor, and frees its weights and anchors on dispose', async () => {
    const baseline = tf.memory().numTensors;
    await detector.detect(frame); // warm-up
    const before = tf.memory().numTensors;
    const plain = await detector.detect(frame);
    expect(tf.memory().numTensors).toBe(before);
    expect(plain.levels.map((l) => l.stride)).toEqual([8, 16, 32]);
    const withMaps = await detector.detect(frame, { maps: true });
    expect(withMaps.maps?.levels?.map((l) => l.stride)).toEqual([8, 16, 32]);
    expectCellsOnTheirLevels(withMaps);
    withMaps.dispose();
    expect(tf.memory().numTensors).toBe(before);
    detector.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the shared model is released in a microtask
    expect(tf.memory().numTensors).toBe(baseline - expectedShapes().size);
  });
});

describe('yolo-face-small generation 2 in the engine: four levels, stride 4 first', () => {
  it('reports strides 4/8/16/32 in levels and maps, each detection\'s cell on its level, and leaks no tensor', async () => {
    const descriptor = yoloFaceSmallDescriptor(128, YOLO_FACE_SMALL_V2);
    expect(descriptor.levels.map((l) => [l.stride, l.width])).toEqual([
      [4, 32],
      [8, 16],
      [16, 8],
      [32, 4],
    ]);
    const detector = await createDetectorFor(descriptor, {
      model: descriptor.id,
      backend: 'cpu',
      modelBaseUrl: new URL('./fixtures/generation-2/', import.meta.url).href,
      fetch: fileFetch,
      scoreThreshold: 0,
    });
    const frame = tf.tidy(() => tf.cast(tf.mul(tf.squeeze(fixtureInput(96), [0]), 255), 'int32') as tf.Tensor3D);
    await detector.detect(frame); // warm-up
    const before = tf.memory().numTensors;
    const result = await detector.detect(frame, { maps: true });
    expect(result.levels.map((l) => l.stride)).toEqual([4, 8, 16, 32]);
    expect(result.maps?.levels?.map((l) => [l.stride, ...l.scores.tensor.shape])).toEqual([
      [4, 32, 32, 1],
      [8, 16, 16, 1],
      [16, 8, 8, 1],
      [32, 4, 4, 1],
    ]);
    expect(result.detections.length).toBeGreaterThan(0);
    expectCellsOnTheirLevels(result);
    result.dispose();
    expect(tf.memory().numTensors).toBe(before);
    frame.dispose();
    detector.dispose();
  });
});
