/**
 * CenterNet (MobileNetV3, TTFNet-style ltrb head) decoding on the GPU, as the graph's own
 * `tower_0/detections` does it (see README.md in this folder and research notes §1.3):
 *
 * 1. peaks: keep a heatmap value only where it equals its 3×3 max-pool neighbourhood;
 * 2. top-K over the flattened [H·W·C] peaks (row-major (y, x, c), as the graph flattens);
 * 3. for flat index i: c = i mod C, cell = i div C, x = cell mod W, y = cell div W;
 * 4. box = (s·x − l, s·y − t, s·x + r, s·y + b) with (l, t, r, b) gathered at the cell, s = 4.
 *    No half-cell shift: training put peaks at floor(centre / 4) and regressed from 4·x.
 *
 * Step 2 is done in two stages, with the same result: the K best cells by their best class, then the
 * K best of those cells' K·C scores. Exact because a (cell, class) pair among the K best overall has at
 * most K − 1 pairs above it, so at most K − 1 cells whose best score beats its cell's. A single top-K
 * over all 1.3 M values (128·128·80) is a bitonic sort of 2²¹ elements on WebGL/WebGPU (seconds on a
 * software GPU) and tens of ms on WASM; the two stages sort 16,384 and K·80 values.
 */
import * as tf from '@tensorflow/tfjs';
import type { DecodedFrame, DecodeOptions } from '../../src/model-descriptor.js';
import { ownMap } from '../../src/maps.js';

export const CENTERNET_STRIDE = 4;

/**
 * In: `heatmap` [1, H, W, C] sigmoid class scores, `ltrb` [1, H, W, 4] distances in input pixels.
 * Out: rows [K, 8] (x1, y1, x2, y2, score, class, level 0, cell index y·W + x) in input pixels, plus
 * both maps squeezed to [H, W, C] / [H, W, 4] as owned handles. Inputs are not disposed.
 */
export function decodeCenterNet(outputs: readonly tf.Tensor[], options: DecodeOptions): DecodedFrame {
  const [heatmap, ltrb] = outputs as [tf.Tensor4D, tf.Tensor4D];
  const [, height, width, classes] = heatmap.shape;
  const k = Math.min(options.maxDetections, height * width * classes);
  const rows = tf.tidy(() => {
    const pooled = tf.maxPool(heatmap, 3, 1, 'same');
    const peaks = tf.mul(heatmap, tf.cast(tf.equal(heatmap, pooled), 'float32'));
    const byCell = tf.reshape(peaks, [height * width, classes]);
    const kCells = Math.min(k, height * width);
    const { indices: bestCells } = tf.topk(tf.max(byCell, 1), kCells, true); // [kCells] int32
    const candidates = tf.reshape(tf.gather(byCell, bestCells), [-1]); // [kCells·C], row-major (cell, c)
    const { values: scores, indices } = tf.topk(candidates, k, true); // [K], [K] int32
    // Integer arithmetic on indices: cast, because some backends (wasm) return floorDiv as float32.
    const classIds = tf.mod(indices, classes);
    const cell = tf.gather(bestCells, tf.cast(tf.floorDiv(indices, classes), 'int32'));
    const cellX = tf.cast(tf.mod(cell, width), 'float32');
    const cellY = tf.cast(tf.floorDiv(cell, width), 'float32');
    const distances = tf.gather(tf.reshape(ltrb, [-1, 4]), cell); // [K, 4]: l, t, r, b
    const [left, top, right, bottom] = tf.unstack(distances, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const pointX = tf.mul(cellX, CENTERNET_STRIDE);
    const pointY = tf.mul(cellY, CENTERNET_STRIDE);
    return tf.stack(
      [
        tf.sub(pointX, left),
        tf.sub(pointY, top),
        tf.add(pointX, right),
        tf.add(pointY, bottom),
        scores,
        tf.cast(classIds, 'float32'),
        tf.zerosLike(scores), // level: the only one
        tf.cast(cell, 'float32'),
      ],
      1,
    ) as tf.Tensor2D;
  });
  const heatmapMap = ownMap(tf.squeeze<tf.Tensor3D>(heatmap, [0]), CENTERNET_STRIDE, 'corner');
  const ltrbMap = ownMap(tf.squeeze<tf.Tensor3D>(ltrb, [0]), CENTERNET_STRIDE, 'corner');
  return {
    rows,
    maps: { heatmap: heatmapMap, ltrb: ltrbMap, levels: [{ stride: CENTERNET_STRIDE, scores: heatmapMap, regression: ltrbMap }] },
  };
}
