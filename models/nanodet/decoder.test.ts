// NanoDet decoding: hand-made logits with known answers, then the real graph against a plain-JS
// re-statement of the reference decode (gfl_head.py v0.x) on the same raw outputs.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessFrame } from '../../src/pipeline.js';
import { bundleMaps } from '../../src/maps.js';
import { classAwareNms, suppressRows } from '../../src/postprocess/nms.js';
import { greedyNmsMask, suppressRowsOnBackend } from '../../src/postprocess/gpu-nms.js';
import { ROW_WIDTH } from '../../src/model-descriptor.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../../test/node.js';
import type { Detection } from '../../src/types.js';
import { hostOutputs } from '../../src/runtime/host-values.js';
import { NANODET_BINS, NANODET_LEVELS, decodeNanoDet, integralDistances, nanoDetHostDecode } from './decoder.js';
import { nanodet } from './descriptor.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CLASSES = 80;
const SIDES = 4;

/** Six all-"nothing" outputs (scores 0, uniform logits), as the graph would give them. */
function blankOutputs(): { scores: Float32Array[]; logits: Float32Array[] } {
  return {
    scores: NANODET_LEVELS.map((l) => new Float32Array(l.width * l.height * CLASSES)),
    logits: NANODET_LEVELS.map((l) => new Float32Array(l.width * l.height * SIDES * NANODET_BINS)),
  };
}

function toTensors(data: { scores: Float32Array[]; logits: Float32Array[] }): tf.Tensor[] {
  return [
    ...data.scores.map((s, i) => tf.tensor3d(s, [1, NANODET_LEVELS[i]!.width * NANODET_LEVELS[i]!.height, CLASSES])),
    ...data.logits.map((s, i) => tf.tensor3d(s, [1, NANODET_LEVELS[i]!.width * NANODET_LEVELS[i]!.height, SIDES * NANODET_BINS])),
  ];
}

/** Decoded candidates (before NMS), optionally through the engine's two NMS paths. */
async function decodeRows(outputs: tf.Tensor[], nms: 'none' | 'backend' | 'js' | 'host' = 'none', maxRows = 100): Promise<number[][]> {
  if (nms === 'host') {
    // The CPU backends' path: JS decode of the outputs in place, then JS NMS.
    const views = hostOutputs(outputs);
    if (!views) throw new Error('no host views on the cpu backend');
    const flat = suppressRows(nanoDetHostDecode.rows(views, { maxDetections: maxRows }), ROW_WIDTH, nanodet.nms!.iouThreshold, 0.05, maxRows);
    tf.dispose(outputs);
    return Array.from({ length: flat.length / ROW_WIDTH }, (_, i) => Array.from(flat.subarray(i * ROW_WIDTH, (i + 1) * ROW_WIDTH)));
  }
  const decoded = decodeNanoDet(outputs);
  bundleMaps(decoded.maps).dispose();
  tf.dispose(outputs);
  let flat: Float32Array;
  if (nms === 'backend') {
    const kept = suppressRowsOnBackend(decoded.rows, nanodet.nms!.iouThreshold, maxRows);
    flat = (await kept.data()) as Float32Array;
    kept.dispose();
  } else {
    flat = (await decoded.rows.data()) as Float32Array;
    if (nms === 'js') flat = suppressRows(flat, ROW_WIDTH, nanodet.nms!.iouThreshold, 0.05, maxRows);
  }
  decoded.rows.dispose();
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += ROW_WIDTH) rows.push(Array.from(flat.subarray(i, i + ROW_WIDTH)));
  return rows;
}

describe('NanoDet integral (GFL) distances', () => {
  it('one-hot bin k gives k cells; uniform logits give 5', async () => {
    const logits = new Float32Array(3 * SIDES * NANODET_BINS);
    // Row 0: side s peaks hard at bin 2s+1 (l=1, t=3, r=5, b=7). Row 1: uniform. Row 2: bin 10 on every side.
    for (let side = 0; side < SIDES; side++) {
      logits[side * NANODET_BINS + 2 * side + 1] = 100;
      logits[2 * SIDES * NANODET_BINS + side * NANODET_BINS + 10] = 100;
    }
    const distances = integralDistances(tf.tensor2d(logits, [3, SIDES * NANODET_BINS]));
    const values = (await distances.array()) as number[][];
    distances.dispose();
    values[0]!.forEach((d, side) => expect(d).toBeCloseTo(2 * side + 1, 5));
    values[1]!.forEach((d) => expect(d).toBeCloseTo(5, 5));
    values[2]!.forEach((d) => expect(d).toBeCloseTo(10, 5));
  });
});

describe('NanoDet decoder on hand-made outputs', () => {
  it('puts a peak at row i of each level at that cell centre, with sides in l, t, r, b order', async () => {
    const data = blankOutputs();
    // Level l: a distinct class at row i = y·W + x; one-hot bins l=1, t=2, r=3, b=4 cells.
    const picks = [
      { level: 0, x: 10, y: 20, cls: 0, score: 0.9 },
      { level: 1, x: 5, y: 7, cls: 1, score: 0.8 },
      { level: 2, x: 6, y: 3, cls: 2, score: 0.7 },
    ];
    for (const pick of picks) {
      const { width } = NANODET_LEVELS[pick.level]!;
      const row = pick.y * width + pick.x;
      data.scores[pick.level]![row * CLASSES + pick.cls] = pick.score;
      for (let side = 0; side < SIDES; side++) data.logits[pick.level]![row * SIDES * NANODET_BINS + side * NANODET_BINS + side + 1] = 100;
    }
    const rows = await decodeRows(toTensors(data));
    picks.forEach((pick, index) => {
      const { stride, width } = NANODET_LEVELS[pick.level]!;
      const cx = (pick.x + 0.5) * stride;
      const cy = (pick.y + 0.5) * stride;
      const [x1, y1, x2, y2, score, cls, level, position] = rows[index]!;
      expect(x1).toBeCloseTo(cx - 1 * stride, 3);
      expect(y1).toBeCloseTo(cy - 2 * stride, 3);
      expect(x2).toBeCloseTo(cx + 3 * stride, 3);
      expect(y2).toBeCloseTo(cy + 4 * stride, 3);
      expect(score).toBeCloseTo(pick.score, 6);
      expect(cls).toBe(pick.cls);
      expect(level).toBe(pick.level);
      expect(position).toBe(pick.y * width + pick.x);
    });
  });

  it('clamps boxes to the 416 input and gives uniform logits 5·s per side', async () => {
    const data = blankOutputs();
    data.scores[2]![0 * CLASSES + 3] = 0.6; // stride 32, cell (0, 0): centre (16, 16), 5·32 = 160 px per side
    const [row] = await decodeRows(toTensors(data));
    expect(row!.slice(0, 4).map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 0, 176, 176]);
  });

  it('keeps both classes of one cell (multi-label) and suppresses same-class overlaps only', async () => {
    const data = blankOutputs();
    const width = NANODET_LEVELS[0]!.width;
    const cellA = 20 * width + 20;
    const cellB = 20 * width + 21; // neighbour: boxes overlap with IoU > 0.6 at uniform logits
    data.scores[0]![cellA * CLASSES + 0] = 0.9;
    data.scores[0]![cellA * CLASSES + 5] = 0.8;
    data.scores[0]![cellB * CLASSES + 0] = 0.7; // suppressed by cell A's class 0
    data.scores[0]![cellB * CLASSES + 7] = 0.6; // another class: kept
    for (const path of ['backend', 'js', 'host'] as const) {
      const rows = await decodeRows(toTensors(data), path, 10);
      const kept = rows.filter((r) => r[4]! > 0.05).map((r) => [r[4]!, r[5]!, r[7]!]);
      expect(kept.map(([s, c, p]) => [Math.round(s! * 10) / 10, c, p]), path).toEqual([
        [0.9, 0, cellA],
        [0.8, 5, cellA],
        [0.6, 7, cellB],
      ]);
    }
  });
});

/** The reference decode (gfl_head.py v0.x get_bboxes_single), restated on plain arrays. */
function referenceDecode(scores: number[][][], logits: number[][][]): Detection[] {
  const candidates: Detection[] = [];
  NANODET_LEVELS.forEach((level, index) => {
    const levelScores = scores[index]!;
    // nms_pre: the 1,000 best cells of the level by their max class score.
    const order = levelScores.map((row, cell) => ({ cell, max: Math.max(...row) })).sort((a, b) => b.max - a.max).slice(0, 1000);
    for (const { cell } of order) {
      const side = (s: number): number => {
        const bins = logits[index]![cell]!.slice(s * NANODET_BINS, (s + 1) * NANODET_BINS);
        const top = Math.max(...bins);
        const exps = bins.map((v) => Math.exp(v - top));
        const sum = exps.reduce((a, b) => a + b, 0);
        return (exps.reduce((a, e, b) => a + b * e, 0) / sum) * level.stride;
      };
      const cx = ((cell % level.width) + 0.5) * level.stride;
      const cy = (Math.floor(cell / level.width) + 0.5) * level.stride;
      const clamp = (v: number): number => Math.min(416, Math.max(0, v));
      const x1 = clamp(cx - side(0));
      const y1 = clamp(cy - side(1));
      const x2 = clamp(cx + side(2));
      const y2 = clamp(cy + side(3));
      levelScores[cell]!.forEach((score, classId) => {
        if (score > 0.05) {
          candidates.push({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, score, classId, label: '', cell: { level: index, stride: level.stride, x: cell % level.width, y: Math.floor(cell / level.width), anchor: 0, priorX: cx, priorY: cy } });
        }
      });
    }
  });
  candidates.sort((a, b) => b.score - a.score);
  return classAwareNms(candidates, 0.6).slice(0, 100);
}

describe('NanoDet decoder on the real graph', () => {
  let graph: tf.GraphModel;
  let outputs: tf.Tensor[];

  beforeAll(async () => {
    graph = await tf.loadGraphModel(tf.io.http(new URL(nanodet.graphFile, NODE_MODEL_BASE_URL).href, { fetchFunc: fileFetch }));
    const frame = await readJpegTensor('models/centernet/fixtures/street-frame.jpg');
    const { input } = preprocessFrame(nanodet, frame);
    outputs = graph.execute({ [nanodet.input.name]: input }, [...nanodet.outputs]) as tf.Tensor[];
    tf.dispose([frame, input]);
  }, 120_000);

  afterAll(() => {
    tf.dispose(outputs);
    graph.dispose();
  });

  it('matches the reference decode (boxes to 1e-3 px, scores to 1e-6) on a street frame, with either NMS path', async () => {
    const scores = (await Promise.all(outputs.slice(0, 3).map((t) => t.array()))).map((a) => (a as number[][][])[0]!);
    const logits = (await Promise.all(outputs.slice(3, 6).map((t) => t.array()))).map((a) => (a as number[][][])[0]!);
    const expected = referenceDecode(scores, logits);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.filter((d) => d.classId === 0 && d.score > 0.35).length).toBeGreaterThan(2); // people

    for (const path of ['backend', 'js', 'host'] as const) {
      const rows = (await decodeRows(outputs.map((t) => t.clone()), path)).filter((r) => r[4]! > 0.05);
      expect(rows, path).toHaveLength(expected.length);
      rows.forEach((row, i) => {
        const ref = expected[i]!;
        expect(Math.abs(row[4]! - ref.score)).toBeLessThan(1e-6);
        expect(row[5]).toBe(ref.classId);
        expect(row[6]).toBe(ref.cell.level);
        expect(row[7]).toBe(ref.cell.y * NANODET_LEVELS[ref.cell.level]!.width + ref.cell.x);
        expect(Math.abs(row[0]! - ref.x)).toBeLessThan(1e-3);
        expect(Math.abs(row[1]! - ref.y)).toBeLessThan(1e-3);
        expect(Math.abs(row[2]! - (ref.x + ref.width))).toBeLessThan(1e-3);
        expect(Math.abs(row[3]! - (ref.y + ref.height))).toBeLessThan(1e-3);
      });
    }
  });

  it('gives the same 1,000 candidates in JS (CPU backends) as with tfjs ops', async () => {
    const decoded = decodeNanoDet(outputs);
    bundleMaps(decoded.maps).dispose();
    const expected = (await decoded.rows.data()) as Float32Array;
    decoded.rows.dispose();
    const ours = nanoDetHostDecode.rows(hostOutputs(outputs)!, { maxDetections: 100 });
    expect(ours).toHaveLength(expected.length);
    expect(ours.length / ROW_WIDTH).toBe(1000);
    for (let i = 0; i < ours.length; i++) {
      // Boxes (softmax in float64 here, float32 in tfjs) to 1e-3 px; score, class, level, cell exact.
      expect(Math.abs(ours[i]! - expected[i]!), `value ${i % ROW_WIDTH} of row ${Math.floor(i / ROW_WIDTH)}`).toBeLessThan(i % ROW_WIDTH < 4 ? 1e-3 : 1e-7);
    }
  });

  it('hands over per-level score and regression maps at their strides, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const decoded = decodeNanoDet(outputs);
    expect(decoded.maps.levels?.map((l) => [l.stride, ...l.scores.tensor.shape, ...(l.regression?.tensor.shape ?? [])])).toEqual([
      [8, 52, 52, 80, 52, 52, 44],
      [16, 26, 26, 80, 26, 26, 44],
      [32, 13, 13, 80, 13, 13, 44],
    ]);
    expect(decoded.maps.heatmap).toBe(decoded.maps.levels?.[0]?.scores);
    decoded.rows.dispose();
    bundleMaps(decoded.maps).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('GPU greedy NMS', () => {
  it('equals greedy NMS on random crowded boxes', async () => {
    // Dense clusters of same-class boxes: long suppression chains.
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const boxes: number[][] = [];
    const classes: number[] = [];
    for (let i = 0; i < 300; i++) {
      const cx = 50 + Math.floor(random() * 4) * 60 + random() * 30;
      const cy = 50 + random() * 30;
      const w = 30 + random() * 30;
      boxes.push([cx - w / 2, cy - w / 2, cx + w / 2, cy + w / 2]);
      classes.push(Math.floor(random() * 2));
    }
    const mask = greedyNmsMask(tf.tensor2d(boxes), tf.tensor1d(classes), 0.5);
    const ours = Array.from(await mask.data());
    mask.dispose();
    const detections: Detection[] = boxes.map(([x1, y1, x2, y2], i) => ({
      x: x1!, y: y1!, width: x2! - x1!, height: y2! - y1!, score: 1 - i / 1000, classId: classes[i]!, label: String(i),
      cell: { level: 0, stride: 1, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 },
    }));
    const kept = new Set(classAwareNms(detections, 0.5).map((d) => Number(d.label)));
    expect(ours.map((v, i) => (v > 0.5) === kept.has(i)).every(Boolean)).toBe(true);
  });
});

describe('NanoDet through createDetector', () => {
  it('loads, checks the graph and finds people with their level and cell', async () => {
    const { createDetector } = await import('../index.js');
    const start = tf.memory().numTensors;
    const detector = await createDetector({ model: 'nanodet', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, rectInput: true });
    const frame = await readJpegTensor('models/centernet/fixtures/street-frame.jpg');
    await detector.detect(frame); // the first frame of a size sets the graph's size constants for it
    const before = tf.memory().numTensors;
    const result = await detector.detect(frame);
    expect(tf.memory().numTensors).toBe(before);
    frame.dispose();
    detector.dispose();
    expect(tf.memory().numTensors).toBe(start); // weights and size constants released
    const people = result.detections.filter((d) => d.label === 'person');
    expect(people.length).toBeGreaterThan(1);
    expect(result.levels.map((l) => l.stride)).toEqual([8, 16, 32]);
    // With rectInput the 768×576 frame runs as a 416 × 320 input: grids 52×40, 26×20, 13×10.
    expect(result.letterbox).toMatchObject({ inputWidth: 416, inputHeight: 320, padY: 4 });
    expect(result.levels.map((l) => [l.width, l.height])).toEqual([[52, 40], [26, 20], [13, 10]]);
    for (const d of result.detections) {
      expect(d.cell.stride).toBe(result.levels[d.cell.level]!.stride);
      // The prior is the cell centre, mapped to the source: inside (or on the edge of) its box.
      expect(d.cell.priorX).toBeGreaterThanOrEqual(d.x - 1);
      expect(d.cell.priorX).toBeLessThanOrEqual(d.x + d.width + 1);
    }
  }, 120_000);
});
