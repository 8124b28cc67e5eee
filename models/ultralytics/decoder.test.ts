// Decoding hand-made output tensors of every layout on the tfjs CPU backend: boxes, scores, classes,
// (level, position) per column and the cell it names, normalised vs pixel boxes, sorting, top-K,
// Ultralytics' NMS rule, no tensor leak.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellOf } from '../../src/pipeline.js';
import { ROW_WIDTH, type ModelDescriptor } from '../../src/model-descriptor.js';
import { classAwareNms } from '../../src/postprocess/nms.js';
import { computeLetterbox } from '../../src/preprocess/letterbox.js';
import type { Detection } from '../../src/types.js';
import { NO_CELL, decodeUltralytics } from './decoder.js';
import { chooseLayout, type LayoutChoice } from './layouts.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Decodes and reads the rows back as arrays of 8; checks that nothing leaks. */
async function decodeRows(choice: LayoutChoice, input: { width: number; height: number }, outputs: tf.Tensor[], maxDetections = 10): Promise<number[][]> {
  const before = tf.memory().numTensors;
  const { rows, maps } = decodeUltralytics(choice, input, outputs, { maxDetections });
  const values = (await rows.array()) as number[][];
  expect(rows.shape[1]).toBe(ROW_WIDTH);
  rows.dispose();
  for (const level of maps.levels ?? []) {
    level.scores.dispose();
    level.objectness?.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

/** A dense [channels, columns] table (column-major entries set by hand), all else `fill`. */
function table(channels: number, columns: number, entries: Record<number, readonly number[]>, fill = 0): Float32Array {
  const data = new Float32Array(channels * columns).fill(fill);
  for (const [column, values] of Object.entries(entries)) values.forEach((v, c) => (data[c * columns + Number(column)] = v));
  return data;
}

const transpose = (data: Float32Array, rows: number, columns: number): Float32Array => {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c]!;
  return out;
};

const close = (row: readonly number[] | undefined, expected: readonly number[]) => expect(row).toEqual(expected.map((v) => expect.closeTo(v, 3)));

// 320 × 256 input, 5 classes: grids 40×32, 20×16, 10×8 → N = 1280 + 320 + 80 = 1680 columns.
const INPUT = { width: 320, height: 256 };
const N = 1680;
const NC = 5;
// Column 1623 = stride 32, cell (3, 2); column 45 = stride 8, cell (5, 1).
const ENTRIES: Record<number, number[]> = {
  1623: [100, 70, 40, 20, 0, 0, 0, 0.9, 0],
  45: [44, 12, 8, 8, 0, 0.6, 0.5, 0, 0],
};

describe('layout A / A′: boxes + class probabilities', () => {
  const choiceA = chooseLayout([{ name: 'Identity:0', shape: [1, 4 + NC, N] }], INPUT);
  const choiceT = chooseLayout([{ name: 'Identity:0', shape: [1, N, 4 + NC] }], INPUT);
  const expected = [
    [80, 60, 120, 80, 0.9, 3, 2, 23], // level 2, position 2·10 + 3
    [40, 8, 48, 16, 0.6, 1, 0, 45], // level 0, position 1·40 + 5; class = argmax (not multi-label)
  ];

  it('[1, 4+nc, N] in input pixels: xywh → xyxy, sorted, class = argmax, level and position per column', async () => {
    const output = tf.tensor3d(table(4 + NC, N, ENTRIES), [1, 4 + NC, N]);
    const rows = await decodeRows(choiceA, INPUT, [output], 3);
    // Dense layouts hand min(1,000, N) candidates to the engine's NMS; maxDetections applies after it.
    expect(rows).toHaveLength(Math.min(1000, N));
    close(rows[0], expected[0]!);
    close(rows[1], expected[1]!);
    expect(rows[2]![4]).toBe(0); // then the empty columns, score 0
    output.dispose();
  });

  it('normalised boxes (÷ input size) give the same rows', async () => {
    const normalised: Record<number, number[]> = {};
    for (const [c, v] of Object.entries(ENTRIES)) normalised[Number(c)] = [v[0]! / 320, v[1]! / 256, v[2]! / 320, v[3]! / 256, ...v.slice(4)];
    const output = tf.tensor3d(table(4 + NC, N, normalised), [1, 4 + NC, N]);
    const rows = await decodeRows(choiceA, INPUT, [output], 2);
    close(rows[0], expected[0]!);
    close(rows[1], expected[1]!);
    output.dispose();
  });

  it('transposed [1, N, 4+nc] gives the same rows', async () => {
    expect(choiceT.layout.kind).toBe('channels-last');
    const output = tf.tensor3d(transpose(table(4 + NC, N, ENTRIES), 4 + NC, N), [1, N, 4 + NC]);
    const rows = await decodeRows(choiceT, INPUT, [output], 2);
    close(rows[0], expected[0]!);
    close(rows[1], expected[1]!);
    output.dispose();
  });

  it('every level boundary maps to the right (level, cell) and prior point', async () => {
    const descriptor = { levels: choiceA.levels } as unknown as ModelDescriptor;
    const identity = computeLetterbox(320, 256, 320, 256);
    const cases: [column: number, level: number, x: number, y: number][] = [
      [0, 0, 0, 0],
      [39, 0, 39, 0],
      [40, 0, 0, 1],
      [1279, 0, 39, 31],
      [1280, 1, 0, 0],
      [1599, 1, 19, 15],
      [1600, 2, 0, 0],
      [1679, 2, 9, 7],
    ];
    for (const [column, level, x, y] of cases) {
      const output = tf.tensor3d(table(4 + NC, N, { [column]: [1, 1, 1, 1, 0, 0, 0, 0, 0.8] }), [1, 4 + NC, N]);
      const [row] = await decodeRows(choiceA, INPUT, [output], 1);
      output.dispose();
      expect(row![6], `column ${column}: level`).toBe(level);
      const cell = cellOf(descriptor, row![6]!, row![7]!, identity);
      const stride = [8, 16, 32][level]!;
      expect(cell, `column ${column}`).toMatchObject({ level, stride, x, y, anchor: 0, priorX: (x + 0.5) * stride, priorY: (y + 0.5) * stride });
    }
  });

  it('maps: per-level class scores [h, w, nc], registered to the cells', () => {
    const output = tf.tensor3d(table(4 + NC, N, ENTRIES), [1, 4 + NC, N]);
    const { rows, maps } = decodeUltralytics(choiceA, INPUT, [output], { maxDetections: 5 });
    expect(maps.levels?.map((l) => l.scores.tensor.shape)).toEqual([
      [32, 40, NC],
      [16, 20, NC],
      [8, 10, NC],
    ]);
    const p32 = maps.levels![2]!.scores.tensor.arraySync() as number[][][];
    expect(p32[2]![3]![3]).toBeCloseTo(0.9, 6);
    expect(maps.heatmap).toBe(maps.levels![0]!.scores);
    for (const l of maps.levels!) l.scores.dispose();
    rows.dispose();
    output.dispose();
  });
});

describe('layout E: objectness', () => {
  it('[1, 3·cells, 5+nc]: score = obj · cls, anchors fastest within a cell, normalised boxes', async () => {
    const input = { width: 64, height: 64 };
    const choice = chooseLayout([{ name: 'Identity:0', shape: [1, 252, 7] }], input);
    expect(choice.layout.kind).toBe('objectness');
    // Column 212 = stride 16 (from 192), cell 6 = (2, 1), anchor 2 → position 6·3 + 2 = 20.
    const rowsData = table(7, 252, {
      212: [0.5, 0.5, 0.25, 0.25, 0.5, 0.2, 0.8],
      3: [0.1, 0.1, 0.05, 0.05, 0.9, 0.3, 0.1],
    });
    const output = tf.tensor3d(transpose(rowsData, 7, 252), [1, 252, 7]);
    const rows = await decodeRows(choice, input, [output], 2);
    close(rows[0], [24, 24, 40, 40, 0.4, 1, 1, 20]);
    close(rows[1], [4.8, 4.8, 8, 8, 0.27, 0, 0, 3]);
    const cell = cellOf({ levels: choice.levels } as unknown as ModelDescriptor, 1, 20, computeLetterbox(64, 64, 64, 64));
    expect(cell).toMatchObject({ level: 1, stride: 16, x: 2, y: 1, anchor: 2, priorX: 40, priorY: 24 });
    const { rows: r, maps } = decodeUltralytics(choice, input, [output], { maxDetections: 1 });
    expect(maps.levels?.map((l) => l.objectness?.tensor.shape)).toEqual([
      [8, 8, 3],
      [4, 4, 3],
      [2, 2, 3],
    ]);
    expect((maps.levels![1]!.objectness!.tensor.arraySync() as number[][][])[1]![2]![2]).toBeCloseTo(0.5, 6);
    for (const l of maps.levels!) {
      l.scores.dispose();
      l.objectness?.dispose();
    }
    r.dispose();
    output.dispose();
  });
});

describe('layouts B/C and D: rows after NMS', () => {
  it('[1, 300, 6] (nms=True / end-to-end): rows as they are, zero padding last, no cell', async () => {
    const input = { width: 416, height: 416 };
    const choice = chooseLayout([{ name: 'Identity:0', shape: [1, 300, 6] }], input);
    const data = new Float32Array(300 * 6);
    data.set([10, 20, 110, 220, 0.55, 7], 0);
    data.set([200, 200, 300, 260, 0.91, 0], 6);
    data.set([50, 60, 70, 80, 0.3, 12], 12);
    const output = tf.tensor3d(data, [1, 300, 6]);
    const rows = await decodeRows(choice, input, [output], 4);
    close(rows[0], [200, 200, 300, 260, 0.91, 0, NO_CELL, NO_CELL]);
    close(rows[1], [10, 20, 110, 220, 0.55, 7, NO_CELL, NO_CELL]);
    close(rows[2], [50, 60, 70, 80, 0.3, 12, NO_CELL, NO_CELL]);
    expect(rows[3]![4]).toBe(0);
    output.dispose();
    // The same rows normalised.
    const norm = data.map((v, i) => (i % 6 < 4 ? v / 416 : v));
    const normalised = tf.tensor3d(norm, [1, 300, 6]);
    close((await decodeRows(choice, input, [normalised], 1))[0], [200, 200, 300, 260, 0.91, 0, NO_CELL, NO_CELL]);
    normalised.dispose();
  });

  it('D: YOLOv5 TF.js boxes/scores/classes/count (normalised), rows past the count ignored', async () => {
    const input = { width: 640, height: 480 };
    const outputsInfo = [
      { name: 'Identity_1:0', shape: [1, 100] },
      { name: 'Identity:0', shape: [1, 100, 4] },
      { name: 'Identity_3:0', shape: [1] },
      { name: 'Identity_2:0', shape: [1, 100] },
    ];
    const choice = chooseLayout(outputsInfo, input);
    const boxes = new Float32Array(400);
    boxes.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.75, 1.0, 0.0, 0.0, 0.9, 0.9]);
    const scores = new Float32Array(100).fill(-1);
    scores.set([0.8, 0.6, 0.99]); // the third is past the valid count: garbage
    const classes = new Float32Array(100).fill(-1);
    classes.set([2, 5, 1]);
    const outputs = [tf.tensor2d(scores, [1, 100]), tf.tensor3d(boxes, [1, 100, 4]), tf.tensor1d([2], 'int32'), tf.tensor2d(classes, [1, 100])];
    const rows = await decodeRows(choice, input, outputs, 3);
    close(rows[0], [64, 96, 192, 192, 0.8, 2, NO_CELL, NO_CELL]);
    close(rows[1], [320, 240, 480, 480, 0.6, 5, NO_CELL, NO_CELL]);
    expect(rows[2]![4]).toBe(-1);
    for (const t of outputs) t.dispose();
  });

  it('a row without a cell reports stride 0 (the documented sentinel)', () => {
    const cell = cellOf({ levels: [] } as unknown as ModelDescriptor, NO_CELL, NO_CELL, computeLetterbox(10, 10, 10, 10));
    expect(cell).toMatchObject({ level: NO_CELL, stride: 0 });
  });
});

describe("NMS: the engine's class-aware NMS at 0.7 is Ultralytics' rule", () => {
  /** Ultralytics: boxes offset by class · 7680, then torchvision NMS (suppress IoU > t), on score order. */
  function ultralyticsNms(d: readonly Detection[], t: number): Detection[] {
    const off = (x: Detection) => ({ ...x, x: x.x + x.classId * 7680, y: x.y + x.classId * 7680 });
    const iou = (a: Detection, b: Detection) => {
      const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
      const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
      return (w * h) / (a.width * a.height + b.width * b.height - w * h);
    };
    const kept: Detection[] = [];
    for (const c of [...d].sort((a, b) => b.score - a.score)) if (!kept.some((k) => iou(off(k), off(c)) > t)) kept.push(c);
    return kept;
  }
  const det = (x: number, w: number, score: number, classId: number): Detection =>
    ({ x, y: 0, width: w, height: 100, score, classId, label: '', cell: { level: 0, stride: 8, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 } }) as Detection;

  it('suppresses same-class IoU > 0.7 only, keeps other classes, and agrees with the offset trick', () => {
    const detections = [
      det(0, 100, 0.9, 0),
      det(10, 100, 0.85, 0), // IoU 90/110 = 0.82 with the first: suppressed
      det(25, 100, 0.8, 0), // IoU 75/125 = 0.6: kept
      det(10, 100, 0.7, 1), // other class: kept
      det(12, 100, 0.6, 1), // IoU 0.96 with the class-1 box: suppressed
    ];
    const kept = classAwareNms(detections, 0.7);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.8, 0.7]);
    expect(kept).toEqual(ultralyticsNms(detections, 0.7));
  });
});
