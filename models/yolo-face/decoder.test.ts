// The GPU decoder on hand-made conv8 outputs (exact boxes, positions, maps), and the descriptor's options.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellOf } from '../../src/pipeline.js';
import { LoupeError } from '../../src/errors.js';
import { bundleMaps } from '../../src/maps.js';
import { decodeYoloFace, YOLO_FACE_ANCHORS } from './decoder.js';
import { preprocessYoloFace, yoloFace } from './descriptor.js';

/** A hand-made conv8 output: every objectness −20 except the listed (row, col, anchor) → values. */
function headOutput(cells: number, lit: { row: number; col: number; anchor: number; t: [number, number, number, number, number] }[]): tf.Tensor4D {
  const data = new Float32Array(cells * cells * 25);
  for (let cell = 0; cell < cells * cells; cell++) for (let a = 0; a < 5; a++) data[cell * 25 + a * 5 + 4] = -20;
  for (const { row, col, anchor, t } of lit) data.set(t, (row * cells + col) * 25 + anchor * 5);
  return tf.tensor4d(data, [1, cells, cells, 25]);
}

describe('yolo-face decoder (hand-made outputs)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('decodes one lit anchor in one cell to the exact box, score, level and position', async () => {
    const cells = 13;
    const raw = headOutput(cells, [{ row: 2, col: 3, anchor: 1, t: [0, Math.log(3), Math.log(2), 0, 2] }]);
    const decoded = decodeYoloFace([raw], { maxDetections: 5 });
    const rows = (await decoded.rows.array()) as number[][];
    expect(rows).toHaveLength(5);
    const [x1, y1, x2, y2, score, classId, level, position] = rows[0]!;
    const [aw, ah] = YOLO_FACE_ANCHORS[1]!;
    const cx = (3 + 0.5) * 32; // σ(0) = 0.5
    const cy = (2 + 0.75) * 32; // σ(ln 3) = 0.75
    const w = 2 * aw * 32;
    const h = ah * 32;
    expect(x1).toBeCloseTo(cx - w / 2, 3);
    expect(y1).toBeCloseTo(cy - h / 2, 3);
    expect(x2).toBeCloseTo(cx + w / 2, 3);
    expect(y2).toBeCloseTo(cy + h / 2, 3);
    expect(score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(classId).toBe(0);
    expect(level).toBe(0);
    expect(position).toBe((2 * cells + 3) * 5 + 1);
    expect(rows[1]![4]).toBeLessThan(1e-8); // the rest: σ(−20)
    // The engine's cellOf turns it back into the cell, the anchor and the cell's centre.
    const letterbox = { sourceWidth: 416, sourceHeight: 416, inputWidth: 416, inputHeight: 416, contentWidth: 416, contentHeight: 416, scaleX: 1, scaleY: 1, padX: 0, padY: 0 };
    expect(cellOf(yoloFace, level!, position!, letterbox)).toEqual({ level: 0, stride: 32, x: 3, y: 2, anchor: 1, priorX: 112, priorY: 80 });
    decoded.rows.dispose();
    bundleMaps(decoded.maps).dispose();
    raw.dispose();
  });

  it('uses each anchor’s own size and sorts by score', async () => {
    const cells = 10;
    const raw = headOutput(cells, [
      { row: 9, col: 0, anchor: 4, t: [0, 0, 0, 0, 1] },
      { row: 0, col: 9, anchor: 0, t: [0, 0, 0, 0, 3] },
    ]);
    const decoded = decodeYoloFace([raw], { maxDetections: 2 });
    const rows = (await decoded.rows.array()) as number[][];
    const [first, second] = rows as [number[], number[]];
    expect(first[7]).toBe((0 * cells + 9) * 5 + 0);
    expect(first[2]! - first[0]!).toBeCloseTo(YOLO_FACE_ANCHORS[0]![0] * 32, 3);
    expect(first[3]! - first[1]!).toBeCloseTo(YOLO_FACE_ANCHORS[0]![1] * 32, 3);
    expect(second[7]).toBe((9 * cells + 0) * 5 + 4);
    expect((second[0]! + second[2]!) / 2).toBeCloseTo(16, 3);
    expect((second[1]! + second[3]!) / 2).toBeCloseTo(9.5 * 32, 3);
    expect(second[2]! - second[0]!).toBeCloseTo(YOLO_FACE_ANCHORS[4]![0] * 32, 3);
    decoded.rows.dispose();
    bundleMaps(decoded.maps).dispose();
    raw.dispose();
  });

  it('hands over objectness [S,S,5], best-anchor scores [S,S,1] (= heatmap) and regression [S,S,20], leaking nothing', async () => {
    const cells = 7;
    const raw = headOutput(cells, [{ row: 4, col: 5, anchor: 3, t: [Math.log(3), 0, 0.5, -0.5, 1] }]);
    const before = tf.memory().numTensors;
    const decoded = decodeYoloFace([raw], { maxDetections: 100 });
    expect(decoded.rows.shape).toEqual([100, 8]);
    const maps = bundleMaps(decoded.maps);
    const level = maps.levels![0]!;
    expect(maps.heatmap).toBe(level.scores);
    expect(level.stride).toBe(32);
    expect(level.scores.tensor.shape).toEqual([cells, cells, 1]);
    expect(level.objectness!.tensor.shape).toEqual([cells, cells, 5]);
    expect(level.regression!.tensor.shape).toEqual([cells, cells, 20]);
    const objectness = (await level.objectness!.tensor.array()) as number[][][];
    const scores = (await level.scores.tensor.array()) as number[][][];
    const regression = (await level.regression!.tensor.array()) as number[][][];
    const sigma1 = 1 / (1 + Math.exp(-1));
    expect(objectness[4]![5]![3]).toBeCloseTo(sigma1, 6);
    expect(objectness[4]![5]![2]).toBeLessThan(1e-8);
    expect(scores[4]![5]![0]).toBeCloseTo(sigma1, 6);
    expect(scores[0]![0]![0]).toBeLessThan(1e-8);
    // Anchor 3's (σ(tx), σ(ty), tw, th) sit at channels 12..15.
    expect(regression[4]![5]!.slice(12, 16).map((v) => Number(v.toFixed(5)))).toEqual([0.75, 0.5, 0.5, -0.5]);
    decoded.rows.dispose();
    maps.dispose();
    expect(tf.memory().numTensors).toBe(before);
    raw.dispose();
  });
});

describe('yolo-face descriptor', () => {
  it('defaults to 416 (13×13 cells, 5 anchors) with face-api’s thresholds', () => {
    expect(yoloFace.id).toBe('yolo-face');
    expect(yoloFace.labels).toEqual(['face']);
    expect(yoloFace.input).toMatchObject({ width: 416, height: 416 });
    expect(yoloFace.levels).toEqual([{ stride: 32, width: 13, height: 13, anchors: 5, cellOrigin: 'centre' }]);
    expect(yoloFace.defaults).toEqual({ scoreThreshold: 0.5, maxDetections: 100, nmsIouThreshold: 0.4 });
  });

  it('takes any multiple of 32 from 64 to 1280 as input size and rejects the rest with bad-option', () => {
    for (const size of [64, 320, 608, 1280]) {
      const descriptor = yoloFace.withInputSize!(size);
      expect(descriptor.input).toMatchObject({ width: size, height: size });
      expect(descriptor.levels[0]).toMatchObject({ width: size / 32, height: size / 32 });
    }
    for (const size of [0, 32, 100, 416.5, 1312, -416, Number.NaN]) {
      expect(() => yoloFace.withInputSize!(size)).toThrow(LoupeError);
      try {
        yoloFace.withInputSize!(size);
      } catch (error) {
        expect((error as LoupeError).type).toBe('bad-option');
      }
    }
  });

  it('pads right/bottom like face-api: scale from the rounded reshaped size, no offset', async () => {
    const frame = tf.zeros([300, 500, 3], 'int32') as tf.Tensor3D;
    const { input, letterbox } = preprocessYoloFace(frame, 320);
    expect(input.shape).toEqual([1, 320, 320, 3]);
    expect(letterbox).toMatchObject({ padX: 0, padY: 0, contentWidth: 320, contentHeight: 192, scaleX: 320 / 500, scaleY: 192 / 300 });
    // Black pixels and the padding both come out as −mean/255.
    const corner = (await tf.slice(input, [0, 319, 319, 0], [1, 1, 1, 3]).data()) as Float32Array;
    expect(Array.from(corner).map((v) => Number(v.toFixed(5)))).toEqual([-117.001 / 255, -114.697 / 255, -97.404 / 255].map((v) => Number(v.toFixed(5))));
    tf.dispose([frame, input]);
  });
});
