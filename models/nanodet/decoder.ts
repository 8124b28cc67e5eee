/**
 * NanoDet-g (v0.x GFL head) decoding on the GPU, per the reference `GFLHead.get_bboxes_single`
 * (research notes, decoders.md §2.4–2.5):
 *
 * - three levels, strides 8/16/32 on a 416 input (52², 26², 13² cells; a rectangular W × H input has
 *   W/s × H/s, `DecodeOptions.inputSize`), row i = y·W + x;
 * - the prior of cell (x, y) is its centre ((x + 0.5)·s, (y + 0.5)·s) — v0.x, unlike NanoDet-Plus;
 * - each side (left, top, right, bottom; channel = side·11 + bin) is a distribution over 11 bins:
 *   distance = s · Σ_b b · softmax(logits)_b (the expectation, not the argmax bin);
 * - box = (cx − l, cy − t, cx + r, cy + b) clamped to the input; scores are the class outputs as they
 *   are (sigmoid in the graph), every class of a cell is a candidate (multi-label);
 * - class-aware NMS at IoU 0.6, at most 100 results: the engine does it (`descriptor.nms`), on the GPU
 *   or, on CPU backends, in JS on the candidates.
 *
 * Where this differs from the reference, and why it does not change results: the reference keeps the
 * 1,000 best cells per level (by max class score) and then every (cell, class) above 0.05; here the
 * CANDIDATES best (cell, class) pairs over all levels go to NMS. Only candidates that could reach the
 * final 100 matter, and with 1,000 candidates that bound is never reached on real frames (see tests).
 */
import * as tf from '@tensorflow/tfjs';
import { ROW_WIDTH, type DecodedFrame, type DecodedMaps, type DecodeOptions, type HostDecode, type LevelSpec } from '../../src/model-descriptor.js';
import { ownMap } from '../../src/maps.js';
import { topKOf } from '../../src/postprocess/host-topk.js';
import { binExpectation } from '../regression.js';
import type { LevelMaps } from '../../src/types.js';

export const NANODET_INPUT = 416;
export const NANODET_STRIDES = [8, 16, 32] as const;
/** Bins per side minus one (`reg_max`): distances reach 10·s. */
export const NANODET_REG_MAX = 10;
export const NANODET_BINS = NANODET_REG_MAX + 1;
/** Reference NMS: class-aware, IoU 0.6. */
export const NANODET_NMS_IOU = 0.6;
/** (cell, class) pairs that go into NMS. */
export const NANODET_CANDIDATES = 1000;

/** The three grids for an input of `width × height` (multiples of 32). */
export function nanoDetLevels(width: number, height: number): readonly LevelSpec[] {
  return NANODET_STRIDES.map((stride) => ({ stride, width: width / stride, height: height / stride, anchors: 1, cellOrigin: 'centre' }));
}

/** The grids of the square 416 input (52², 26², 13²). */
export const NANODET_LEVELS: readonly LevelSpec[] = nanoDetLevels(NANODET_INPUT, NANODET_INPUT);

/** The input the outputs come from: `options.inputSize` (rectangular inputs), else the square 416. */
function inputOf(options?: DecodeOptions): { width: number; height: number } {
  return options?.inputSize ?? { width: NANODET_INPUT, height: NANODET_INPUT };
}

/**
 * Expected distance per side from the bin logits. In: `logits` [M, 4·11] (side-major: l, t, r, b).
 * Out: [M, 4] distances in cells (multiply by the stride for pixels).
 */
export function integralDistances(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const count = logits.shape[0];
    const probabilities = tf.softmax(tf.reshape(logits, [count, 4, NANODET_BINS]));
    const bins = tf.range(0, NANODET_BINS, 1, 'float32');
    return tf.sum(tf.mul(probabilities, bins), 2) as tf.Tensor2D;
  });
}

/**
 * In: six graph outputs in the descriptor's order: class scores [1, N_l, 80] for strides 8, 16, 32,
 * then box logits [1, N_l, 44] for the same levels. Out: rows [M, 8] (x1, y1, x2, y2, score, class,
 * level, cell index y·W + x) in input pixels: the M = 1,000 best candidates sorted by score, before NMS
 * (`maxDetections` applies after NMS, in the engine); maps: per level `scores` [H, W, 80] and `regression` [H, W, 44],
 * `heatmap` = the stride-8 scores. Inputs are not disposed.
 */
export function decodeNanoDet(outputs: readonly tf.Tensor[], options?: DecodeOptions): DecodedFrame {
  const classOutputs = outputs.slice(0, 3) as tf.Tensor3D[];
  const boxOutputs = outputs.slice(3, 6) as tf.Tensor3D[];
  const classes = classOutputs[0]?.shape[2] ?? 0;
  const input = inputOf(options);
  const levelSpecs = nanoDetLevels(input.width, input.height);
  const cellCounts = levelSpecs.map((level) => level.width * level.height);
  const totalCells = cellCounts.reduce((a, b) => a + b, 0);
  const candidates = Math.min(NANODET_CANDIDATES, totalCells * classes);

  const rows = tf.tidy(() => {
    // [ΣN, C] scores and [ΣN, 44] logits over all levels, level after level.
    const scores = tf.concat(classOutputs.map((t) => tf.reshape(t, [-1, classes])), 0);
    const logits = tf.concat(boxOutputs.map((t) => tf.reshape(t, [-1, 4 * NANODET_BINS])), 0);
    // Per-cell constants: stride, prior centre, level index and index within the level. [ΣN] each.
    const perCell = (value: (level: LevelSpec, index: number, cell: number) => number): tf.Tensor1D => {
      const values = new Float32Array(totalCells);
      let offset = 0;
      levelSpecs.forEach((level, index) => {
        for (let cell = 0; cell < level.width * level.height; cell++) values[offset + cell] = value(level, index, cell);
        offset += level.width * level.height;
      });
      return tf.tensor1d(values);
    };
    const strideOf = perCell((level) => level.stride);
    const centreX = perCell((level, _, cell) => ((cell % level.width) + 0.5) * level.stride);
    const centreY = perCell((level, _, cell) => (Math.floor(cell / level.width) + 0.5) * level.stride);
    const levelOf = perCell((_, index) => index);
    const positionOf = perCell((_, __, cell) => cell);

    // Best (cell, class) pairs, sorted by score. [M] In two exact stages, as the CenterNet decoder: the
    // M best cells by their best class, then the M best of those cells' M·C scores (a pair among the M
    // best overall has at most M − 1 pairs, so at most M − 1 cells, above it). Sorting 3,598 + 80,000
    // values instead of 287,840 matters where top-K is a bitonic sort on the GPU.
    const { indices: bestCells } = tf.topk(tf.max(scores, 1), Math.min(candidates, totalCells), true); // [M'] int32
    const pairs = tf.reshape(tf.gather(scores, bestCells), [-1]); // [M'·C], row-major (cell, class)
    const { values: topScores, indices } = tf.topk(pairs, candidates, true);
    const classIds = tf.mod(indices, classes);
    // wasm returns floorDiv as float32: cast before gathering with it.
    const cells = tf.gather(bestCells, tf.cast(tf.floorDiv(indices, classes), 'int32'));
    const stride = tf.gather(strideOf, cells);
    const distances = tf.mul(integralDistances(tf.gather(logits, cells) as tf.Tensor2D), tf.reshape(stride, [-1, 1]));
    const [left, top, right, bottom] = tf.unstack(distances, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const cx = tf.gather(centreX, cells);
    const cy = tf.gather(centreY, cells);
    const clampX = (t: tf.Tensor1D): tf.Tensor1D => tf.clipByValue(t, 0, input.width);
    const clampY = (t: tf.Tensor1D): tf.Tensor1D => tf.clipByValue(t, 0, input.height);
    const boxes = tf.stack([clampX(tf.sub(cx, left)), clampY(tf.sub(cy, top)), clampX(tf.add(cx, right)), clampY(tf.add(cy, bottom))], 1) as tf.Tensor2D;

    return tf.concat(
      [
        boxes,
        tf.reshape(topScores, [-1, 1]),
        tf.reshape(tf.cast(classIds, 'float32'), [-1, 1]),
        tf.reshape(tf.gather(levelOf, cells), [-1, 1]),
        tf.reshape(tf.gather(positionOf, cells), [-1, 1]),
      ],
      1,
    ) as tf.Tensor2D;
  });

  return { rows, maps: nanoDetMaps(outputs, options) };
}

/** Per level `scores` [H, W, 80] and `regression` [H, W, 44]; `heatmap` = the stride-8 scores. */
function nanoDetMaps(outputs: readonly tf.Tensor[], options?: DecodeOptions): DecodedMaps {
  const classes = outputs[0]?.shape[2] ?? 0;
  const input = inputOf(options);
  const levels: LevelMaps[] = nanoDetLevels(input.width, input.height).map((level, index) => ({
    stride: level.stride,
    scores: ownMap(tf.reshape<tf.Rank.R3>(outputs[index]!, [level.height, level.width, classes]), level.stride, 'centre'),
    regression: ownMap(tf.reshape<tf.Rank.R3>(outputs[index + 3]!, [level.height, level.width, 4 * NANODET_BINS]), level.stride, 'centre'),
  }));
  return { heatmap: levels[0]!.scores, levels };
}

/**
 * The same decode in JS on the CPU backends, reading the outputs in place: the 1,000 best
 * (cell, class) pairs of all levels by one heap scan, then for each the four 11-bin softmax
 * expectations. Out: [M · 8] rows as `decodeNanoDet` gives them, before the engine's NMS (only those
 * scoring at least `scoreThreshold`).
 */
export const nanoDetHostDecode: HostDecode = {
  rows(outputs, options) {
    const classes = outputs[0]?.shape[2] ?? 0;
    const input = inputOf(options);
    const levelSpecs = nanoDetLevels(input.width, input.height);
    const cellCounts = levelSpecs.map((level) => level.width * level.height);
    const totalCells = cellCounts.reduce((a, b) => a + b, 0);
    // All levels' scores back to back, as `decodeNanoDet` concatenates them: [ΣN · C].
    const scores = new Float32Array(totalCells * classes);
    let offset = 0;
    for (let level = 0; level < 3; level++) {
      scores.set(outputs[level]!.values, offset);
      offset += cellCounts[level]! * classes;
    }
    const top = topKOf(scores, Math.min(NANODET_CANDIDATES, scores.length), undefined, options.scoreThreshold);
    const rows = new Float32Array(top.scores.length * ROW_WIDTH);
    const bins = new Float64Array(NANODET_BINS);
    for (let k = 0; k < top.scores.length; k++) {
      const index = top.indices[k]!;
      let cell = (index / classes) | 0;
      let level = 0;
      while (cell >= cellCounts[level]!) cell -= cellCounts[level++]!;
      const spec = levelSpecs[level]!;
      const logits = outputs[level + 3]!.values;
      const centreX = ((cell % spec.width) + 0.5) * spec.stride;
      const centreY = (((cell / spec.width) | 0) + 0.5) * spec.stride;
      // Σ b · softmax(logits)_b over the side's 11 bins, times the stride.
      const distance = (side: number): number => binExpectation(logits, cell * 4 * NANODET_BINS + side * NANODET_BINS, NANODET_BINS, bins) * spec.stride;
      const clamp = (v: number, limit: number): number => Math.min(Math.max(v, 0), limit);
      const at = k * ROW_WIDTH;
      rows[at] = clamp(centreX - distance(0), input.width);
      rows[at + 1] = clamp(centreY - distance(1), input.height);
      rows[at + 2] = clamp(centreX + distance(2), input.width);
      rows[at + 3] = clamp(centreY + distance(3), input.height);
      rows[at + 4] = top.scores[k]!;
      rows[at + 5] = index % classes;
      rows[at + 6] = level;
      rows[at + 7] = cell;
    }
    return rows;
  },
  maps: nanoDetMaps,
};
