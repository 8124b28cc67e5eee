/**
 * Tiny Face Detector (Tiny-YOLOv2) decoding on the GPU, as face-api's `TinyYolov2Base.extractBoxes`
 * does it (see README.md in this folder and research notes §3.3), in model-input pixels:
 *
 * 1. conv8 [1, S, S, 25] → [S·S·5, 5]: channel 5·a + k of cell (row, col) is row (row·S + col)·5 + a,
 *    column k ∈ (tx, ty, tw, th, to);
 * 2. score = σ(to); top-K by score (K = maxDetections);
 * 3. cx = (col + σ(tx))·32, cy = (row + σ(ty))·32, w = e^tw·anchorW·32, h = e^th·anchorH·32 (anchors in
 *    cell units); box = (cx − w/2, cy − h/2) + (w, h).
 *
 * Threshold (face-api: score > 0.5) and greedy NMS (IoU 0.4) happen in the engine on the K rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { DecodedFrame, DecodeOptions } from '../../src/model-descriptor.js';
import { LoupeError } from '../../src/errors.js';
import { ownMap } from '../../src/maps.js';

/** Input pixels per output cell. */
export const YOLO_FACE_STRIDE = 32;
/** Anchor boxes (width, height) in cells, face-api's `tinyFaceDetector/const.ts` (not sorted by size). */
export const YOLO_FACE_ANCHORS: readonly (readonly [number, number])[] = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const ANCHORS = YOLO_FACE_ANCHORS.length;
/** tx, ty, tw, th, objectness. */
const BOX_ENCODING = 5;

/**
 * In: conv8 [1, S, S, 25] raw. Out: rows [K, 8] (x1, y1, x2, y2, score, class 0, level 0,
 * position (row·S + col)·5 + anchor) in input pixels, sorted by score, plus the maps (owned handles):
 * `levels[0].objectness` [S, S, 5] σ(to) per anchor, `levels[0].scores` = `heatmap` [S, S, 1] the best
 * anchor's σ(to) per cell, `levels[0].regression` [S, S, 20] (σ(tx), σ(ty), tw, th) per anchor, anchor-major.
 * The input is not disposed.
 */
export function decodeYoloFace(outputs: readonly tf.Tensor[], options: DecodeOptions): DecodedFrame {
  const [raw] = outputs as [tf.Tensor4D];
  const [, rows, cols, channels] = raw.shape;
  if (channels !== ANCHORS * BOX_ENCODING) {
    throw new LoupeError('model-mismatch', `The face head has ${channels} channels; expected ${ANCHORS * BOX_ENCODING}.`);
  }
  const candidates = rows * cols * ANCHORS;
  const k = Math.min(options.maxDetections, candidates);

  const decodedRows = tf.tidy(() => {
    const grid = tf.reshape(raw, [candidates, BOX_ENCODING]);
    const objectness = tf.sigmoid(tf.squeeze(tf.slice(grid, [0, 4], [-1, 1]), [1]));
    const { values: scores, indices } = tf.topk(objectness, k, true); // [K], [K] int32 = position
    const picked = tf.gather(grid, indices); // [K, 5]
    const [tx, ty, tw, th] = tf.unstack(tf.slice(picked, [0, 0], [-1, 4]), 1) as tf.Tensor1D[] as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    // Integer arithmetic on indices: cast, because some backends (wasm) return floorDiv as float32.
    const anchor = tf.cast(tf.mod(indices, ANCHORS), 'int32');
    const cell = tf.cast(tf.floorDiv(indices, ANCHORS), 'int32');
    const col = tf.cast(tf.mod(cell, cols), 'float32');
    const row = tf.cast(tf.floorDiv(cell, cols), 'float32');
    const anchorW = tf.gather(tf.tensor1d(YOLO_FACE_ANCHORS.map(([w]) => w * YOLO_FACE_STRIDE)), anchor);
    const anchorH = tf.gather(tf.tensor1d(YOLO_FACE_ANCHORS.map(([, h]) => h * YOLO_FACE_STRIDE)), anchor);
    const cx = tf.mul(tf.add(col, tf.sigmoid(tx)), YOLO_FACE_STRIDE);
    const cy = tf.mul(tf.add(row, tf.sigmoid(ty)), YOLO_FACE_STRIDE);
    const w = tf.mul(tf.exp(tw), anchorW);
    const h = tf.mul(tf.exp(th), anchorH);
    const x1 = tf.sub(cx, tf.div(w, 2));
    const y1 = tf.sub(cy, tf.div(h, 2));
    return tf.stack(
      [x1, y1, tf.add(x1, w), tf.add(y1, h), scores, tf.zerosLike(scores), tf.zerosLike(scores), tf.cast(indices, 'float32')],
      1,
    ) as tf.Tensor2D;
  });

  const [objectness, regression, best] = tf.tidy(() => {
    const cells = tf.reshape(raw, [rows, cols, ANCHORS, BOX_ENCODING]);
    const perAnchor = tf.sigmoid(tf.squeeze(tf.slice(cells, [0, 0, 0, 4], [-1, -1, -1, 1]), [3])) as tf.Tensor3D; // [S, S, 5]
    const offsets = tf.sigmoid(tf.slice(cells, [0, 0, 0, 0], [-1, -1, -1, 2])); // σ(tx), σ(ty)
    const sizes = tf.slice(cells, [0, 0, 0, 2], [-1, -1, -1, 2]); // tw, th
    const boxes = tf.reshape(tf.concat([offsets, sizes], 3), [rows, cols, ANCHORS * 4]) as tf.Tensor3D;
    return [perAnchor, boxes, tf.max(perAnchor, 2, true) as tf.Tensor3D];
  });
  // A map value describes its whole cell, the square [32x, 32x + 32): drawn centred on that square.
  const scoresMap = ownMap(best, YOLO_FACE_STRIDE, 'centre');
  const objectnessMap = ownMap(objectness, YOLO_FACE_STRIDE, 'centre');
  const regressionMap = ownMap(regression, YOLO_FACE_STRIDE, 'centre');
  return {
    rows: decodedRows,
    maps: { heatmap: scoresMap, levels: [{ stride: YOLO_FACE_STRIDE, scores: scoresMap, objectness: objectnessMap, regression: regressionMap }] },
  };
}
