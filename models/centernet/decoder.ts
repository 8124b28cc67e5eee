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
import { ROW_WIDTH, type DecodedFrame, type DecodedMaps, type DecodeOptions, type HostDecode } from '../../src/model-descriptor.js';
import { ownMap } from '../../src/maps.js';
import { topKOf } from '../../src/postprocess/host-topk.js';

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
  return { rows, maps: centerNetMaps(outputs) };
}

/** Both maps squeezed to [H, W, C] / [H, W, 4], as owned stride-4 handles. Inputs are not disposed. */
function centerNetMaps(outputs: readonly tf.Tensor[]): DecodedMaps {
  const [heatmap, ltrb] = outputs as [tf.Tensor4D, tf.Tensor4D];
  const heatmapMap = ownMap(tf.squeeze<tf.Tensor3D>(heatmap, [0]), CENTERNET_STRIDE, 'corner');
  const ltrbMap = ownMap(tf.squeeze<tf.Tensor3D>(ltrb, [0]), CENTERNET_STRIDE, 'corner');
  return { heatmap: heatmapMap, ltrb: ltrbMap, levels: [{ stride: CENTERNET_STRIDE, scores: heatmapMap, regression: ltrbMap }] };
}

/**
 * CenterNet's 3×3 peak test for one heatmap value, in the flat [H, W, C] heatmap `heat` (row-major y, x,
 * c): −1 when no neighbour in the same class scores higher (it equals its 3×3 max-pool, the border
 * ignored), else the flat index of the first neighbour (row by row) that does. The JS decode keeps
 * exactly the values this returns −1 for; `<loupe-explain>` shows the suppressor.
 */
export function peakSuppressor(heat: ArrayLike<number>, width: number, height: number, classes: number, index: number): number {
  const value = heat[index]!;
  const rowStride = width * classes;
  const cell = (index / classes) | 0;
  const x = cell % width;
  const y = (cell / width) | 0;
  for (let dy = -1; dy <= 1; dy++) {
    if (y + dy < 0 || y + dy >= height) continue;
    for (let dx = -1; dx <= 1; dx++) {
      if ((dx === 0 && dy === 0) || x + dx < 0 || x + dx >= width) continue;
      const neighbour = index + dy * rowStride + dx * classes;
      if (heat[neighbour]! > value) return neighbour;
    }
  }
  return -1;
}

/**
 * The same decode in JS on the CPU backends, reading the maps in place: one pass over the heatmap
 * with a K-element heap; the 3×3 peak test (no neighbour in the same class scores higher, as
 * `value == maxPool3×3(value)` with the border ignored) runs only for values that would enter the
 * top K. Out: [K · 8] rows as `decodeCenterNet` gives them (fewer when the map has fewer peaks, or
 * fewer peaks score at least `scoreThreshold`).
 */
export const centerNetHostDecode: HostDecode = {
  rows([heatmap, ltrb], { maxDetections, scoreThreshold }) {
    const [, height = 0, width = 0, classes = 0] = heatmap!.shape;
    const heat = heatmap!.values;
    const distances = ltrb!.values;
    const isPeak = (index: number): boolean => peakSuppressor(heat, width, height, classes, index) < 0;
    const { scores, indices } = topKOf(heat, maxDetections, isPeak, scoreThreshold);
    const rows = new Float32Array(scores.length * ROW_WIDTH);
    for (let k = 0; k < scores.length; k++) {
      const index = indices[k]!;
      const cell = (index / classes) | 0;
      const pointX = (cell % width) * CENTERNET_STRIDE;
      const pointY = ((cell / width) | 0) * CENTERNET_STRIDE;
      const at = k * ROW_WIDTH;
      rows[at] = pointX - distances[cell * 4]!;
      rows[at + 1] = pointY - distances[cell * 4 + 1]!;
      rows[at + 2] = pointX + distances[cell * 4 + 2]!;
      rows[at + 3] = pointY + distances[cell * 4 + 3]!;
      rows[at + 4] = scores[k]!;
      rows[at + 5] = index % classes;
      rows[at + 6] = 0;
      rows[at + 7] = cell;
    }
    return rows;
  },
  maps: centerNetMaps,
};
