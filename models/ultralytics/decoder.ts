/**
 * Decoding Ultralytics outputs on the GPU into the engine's rows `(x1, y1, x2, y2, score, class, level,
 * position)` in model-input pixels, sorted by score, top-K taken on the backend (research notes
 * decoders.md §4.3–4.4):
 *
 * - A / A' (`[1, 4+nc, N]` / `[1, N, 4+nc]`): cx, cy, w, h decoded in the graph; class probabilities
 *   already through a sigmoid, no objectness. score = max over classes, class = argmax (Ultralytics'
 *   `multi_label=False`); box = (cx ∓ w/2, cy ∓ h/2).
 * - E (`[1, N, 5+nc]`): score = obj · max(cls) (= max(obj · cls)), columns cell-major, 3 anchors fastest.
 * - B / C (`[1, R, 6]`): x1, y1, x2, y2, score, class as they are; zero-padded rows score 0.
 * - D (YOLOv5 TF.js NMS): boxes x1, y1, x2, y2 normalised; rows at or past the valid count get score −1.
 *
 * Normalised boxes (every coordinate ≤ 1.5, as tflite and YOLOv5 TF exports give) are scaled by the input
 * size; the test runs on the backend (a `where` on the max), so there is still no readback.
 *
 * The column index of A/A'/E is its provenance: levels are concatenated stride 8, 16, 32, each row-major
 * (`ultralytics/utils/tal.py` `make_anchors`), so column n gives (level, position). B/C/D rows have none:
 * their `level` and `position` are −1, which `Detection.cell` reports as stride 0 (see docs/ultralytics.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { DecodedFrame, DecodeOptions, LevelSpec } from '../../src/model-descriptor.js';
import { ownMap } from '../../src/maps.js';
import type { LevelMaps } from '../../src/types.js';
import type { LayoutChoice } from './layouts.js';

/** Every box coordinate at or below this: the boxes are normalised to 0..1. */
export const NORMALISED_LIMIT = 1.5;

/** Level and position sentinel of a row that came from no particular cell (NMS outputs). */
export const NO_CELL = -1;

/** [4] multiplier: (W, H, W, H) when every value of `boxes` is ≤ 1.5 (normalised), else ones. */
function pixelScale(boxes: tf.Tensor, input: { width: number; height: number }): tf.Tensor1D {
  const normalised = tf.lessEqual(tf.max(boxes), NORMALISED_LIMIT);
  return tf.where(normalised, tf.tensor1d([input.width, input.height, input.width, input.height]), tf.ones([4])) as tf.Tensor1D;
}

/** Column indices [K] → level [K] and position in that level [K] (float32); −1 when there are no levels. */
function provenance(indices: tf.Tensor1D, levels: readonly LevelSpec[]): [tf.Tensor1D, tf.Tensor1D] {
  if (levels.length === 0) return [tf.fill(indices.shape, NO_CELL), tf.fill(indices.shape, NO_CELL)];
  const starts: number[] = [];
  let start = 0;
  for (const level of levels) {
    starts.push(start);
    start += level.width * level.height * level.anchors;
  }
  const column = tf.cast(indices, 'float32');
  let level: tf.Tensor1D = tf.zerosLike(column);
  for (const s of starts.slice(1)) level = tf.add(level, tf.cast(tf.greaterEqual(column, s), 'float32'));
  const position = tf.sub(column, tf.gather(tf.tensor1d(starts), tf.cast(level, 'int32'))) as tf.Tensor1D;
  return [level, position];
}

/** Rows [K, 8] from corner boxes [K, 4] (already in input px), scores, classes, level and position [K]. */
function assemble(boxes: tf.Tensor2D, scores: tf.Tensor1D, classes: tf.Tensor1D, level: tf.Tensor1D, position: tf.Tensor1D): tf.Tensor2D {
  return tf.concat([boxes, tf.stack([scores, tf.cast(classes, 'float32'), level, position], 1)], 1) as tf.Tensor2D;
}

/** (cx, cy, w, h) [K, 4] → (x1, y1, x2, y2) [K, 4]. */
function cornersFromCentres(cxcywh: tf.Tensor2D): tf.Tensor2D {
  const [centre, size] = tf.split(cxcywh, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const half = tf.div(size, 2);
  return tf.concat([tf.sub(centre, half), tf.add(centre, half)], 1) as tf.Tensor2D;
}

/** Per-level maps of a dense layout: class scores [h, w, nc] (max over anchors for E) and objectness [h, w, A]. */
function levelMaps(probs: tf.Tensor2D, objectness: tf.Tensor2D | null, channelsFirst: boolean, levels: readonly LevelSpec[]): LevelMaps[] {
  const maps: LevelMaps[] = [];
  let start = 0;
  for (const level of levels) {
    const columns = level.width * level.height * level.anchors;
    const [scores, obj] = tf.tidy(() => {
      const block = channelsFirst
        ? tf.transpose(tf.slice(probs, [0, start], [-1, columns]))
        : tf.slice(probs, [start, 0], [columns, -1]); // [columns, nc]
      const perAnchor = tf.reshape(block, [level.height, level.width, level.anchors, -1]);
      const scores = tf.max(perAnchor, 2) as tf.Tensor3D;
      const obj = objectness ? (tf.reshape(tf.slice(objectness, [start, 0], [columns, 1]), [level.height, level.width, level.anchors]) as tf.Tensor3D) : null;
      return obj ? [scores, obj] : [scores];
    }) as [tf.Tensor3D, tf.Tensor3D | undefined];
    const entry: LevelMaps = { stride: level.stride, scores: ownMap(scores, level.stride, level.cellOrigin) };
    if (obj) entry.objectness = ownMap(obj, level.stride, level.cellOrigin);
    maps.push(entry);
    start += columns;
  }
  return maps;
}

/** Best candidates the dense layouts hand to NMS (Ultralytics pre-selects up to 30,000; 1,000 covers max_det 300). */
export const ULTRALYTICS_NMS_CANDIDATES = 1000;

/**
 * In: the model's outputs (in its own output order) and the layout chosen at load; `input` the model
 * input size. Out: rows [K, 8] in input pixels sorted by score (dense layouts: K = min(1,000, N)
 * candidates before NMS; NMS-row layouts: K = min(maxDetections, rows));
 * for dense layouts also per-level score maps (`heatmap` = the finest level). Inputs are not disposed.
 */
export function decodeUltralytics(
  choice: LayoutChoice,
  input: { width: number; height: number },
  outputs: readonly tf.Tensor[],
  options: DecodeOptions,
): DecodedFrame {
  const { layout, levels } = choice;
  switch (layout.kind) {
    case 'channels-first':
    case 'channels-last':
    case 'objectness': {
      const channelsFirst = layout.kind === 'channels-first';
      const classAxis = channelsFirst ? 0 : 1;
      const boxChannels = 4;
      const probChannels = layout.kind === 'objectness' ? 5 : 4;
      const [probs, objectness] = tf.tidy(() => {
        const table = tf.reshape(outputs[0]!, channelsFirst ? [-1, layout.candidates] : [layout.candidates, -1]) as tf.Tensor2D;
        const cls = (channelsFirst ? tf.slice(table, [probChannels, 0], [-1, -1]) : tf.slice(table, [0, probChannels], [-1, -1])) as tf.Tensor2D;
        if (layout.kind !== 'objectness') return [cls];
        const obj = tf.slice(table, [0, 4], [-1, 1]) as tf.Tensor2D;
        return [tf.mul(cls, obj) as tf.Tensor2D, obj];
      }) as [tf.Tensor2D, tf.Tensor2D | undefined];
      const rows = tf.tidy(() => {
        const table = tf.reshape(outputs[0]!, channelsFirst ? [-1, layout.candidates] : [layout.candidates, -1]) as tf.Tensor2D;
        const boxes = channelsFirst ? tf.slice(table, [0, 0], [boxChannels, -1]) : tf.slice(table, [0, 0], [-1, boxChannels]);
        const scores = tf.max(probs, classAxis) as tf.Tensor1D;
        const classes = tf.argMax(probs, classAxis) as tf.Tensor1D;
        // Candidates for the engine's NMS (descriptor.nms); maxDetections applies after it.
        const k = Math.min(ULTRALYTICS_NMS_CANDIDATES, layout.candidates);
        const { values, indices } = tf.topk(scores, k, true);
        const picked = (channelsFirst ? tf.transpose(tf.gather(boxes, indices, 1)) : tf.gather(boxes, indices, 0)) as tf.Tensor2D;
        const corners = tf.mul(cornersFromCentres(picked), pixelScale(boxes, input)) as tf.Tensor2D;
        const [level, position] = provenance(indices, levels);
        return assemble(corners, values, tf.gather(classes, indices), level, position);
      });
      const maps = levelMaps(probs, objectness ?? null, channelsFirst, levels);
      probs.dispose();
      objectness?.dispose();
      return { rows, maps: maps.length > 0 ? { heatmap: maps[0]!.scores, levels: maps } : {} };
    }
    case 'nms-rows': {
      const rows = tf.tidy(() => {
        const table = tf.reshape(outputs[0]!, [layout.rows, 6]);
        const boxes = tf.slice(table, [0, 0], [-1, 4]) as tf.Tensor2D;
        const scores = tf.reshape(tf.slice(table, [0, 4], [-1, 1]), [-1]) as tf.Tensor1D;
        const classes = tf.reshape(tf.slice(table, [0, 5], [-1, 1]), [-1]) as tf.Tensor1D;
        const { values, indices } = tf.topk(scores, Math.min(options.maxDetections, layout.rows), true);
        const corners = tf.mul(tf.gather(boxes, indices), pixelScale(boxes, input)) as tf.Tensor2D;
        const [level, position] = provenance(indices, []);
        return assemble(corners, values, tf.gather(classes, indices), level, position);
      });
      return { rows, maps: {} };
    }
    case 'yolov5-nms': {
      const { order } = layout;
      const rows = tf.tidy(() => {
        const boxes = tf.reshape(outputs[order.boxes]!, [layout.rows, 4]) as tf.Tensor2D;
        const rawScores = tf.reshape(outputs[order.scores]!, [layout.rows]) as tf.Tensor1D;
        const classes = tf.cast(tf.reshape(outputs[order.classes]!, [layout.rows]), 'float32') as tf.Tensor1D;
        const count = tf.cast(tf.reshape(outputs[order.count]!, [-1]).slice(0, 1), 'float32');
        const valid = tf.less(tf.range(0, layout.rows, 1, 'float32'), count);
        const scores = tf.where(valid, rawScores, tf.fill([layout.rows], -1)) as tf.Tensor1D;
        const { values, indices } = tf.topk(scores, Math.min(options.maxDetections, layout.rows), true);
        const corners = tf.mul(tf.gather(boxes, indices), pixelScale(boxes, input)) as tf.Tensor2D;
        const [level, position] = provenance(indices, []);
        return assemble(corners, values, tf.gather(classes, indices), level, position);
      });
      return { rows, maps: {} };
    }
  }
}
