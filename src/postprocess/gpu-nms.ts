/**
 * Class-aware greedy non-maximum suppression computed on the backend, with no readback.
 *
 * Greedy NMS keeps candidate j (in descending score order) unless an earlier *kept* candidate i of the
 * same class overlaps it by more than the IoU threshold. With S[i, j] = 1 when i < j, same class and
 * IoU > t, the kept set is the fixed point of
 *
 *     keep[j] = 1 − max_i (keep[i] · S[i, j]).
 *
 * Starting from keep = 1 and iterating, candidate j is final once every candidate it depends on is
 * final, so after n rounds the first n candidates are exact, and in practice everything is exact after
 * as many rounds as the longest chain "a suppresses b, which would have suppressed c". Such chains are
 * short (2–4 in dense crowds); `rounds` bounds them, and the tests compare with the CPU greedy NMS on
 * real model outputs. Cost: one M×M IoU matrix plus `rounds` M×M products, all on the GPU.
 */
import * as tf from '@tensorflow/tfjs';

/** Default number of fixed-point rounds; see the module comment. */
export const NMS_ROUNDS = 12;

/**
 * In: `boxes` [M, 4] (x1, y1, x2, y2), `classes` [M] (any numeric dtype), both in descending score
 * order. Out: [M] float32, 1 where greedy class-aware NMS at `iouThreshold` keeps the candidate, else 0.
 */
export function greedyNmsMask(boxes: tf.Tensor2D, classes: tf.Tensor1D, iouThreshold: number, rounds = NMS_ROUNDS): tf.Tensor1D {
  return tf.tidy(() => {
    const count = boxes.shape[0];
    if (count === 0) return tf.zeros([0]) as tf.Tensor1D;
    const [x1, y1, x2, y2] = tf.unstack(boxes, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const area = tf.mul(tf.relu(tf.sub(x2, x1)), tf.relu(tf.sub(y2, y1))) as tf.Tensor1D;
    const column = (t: tf.Tensor1D): tf.Tensor2D => tf.reshape(t, [count, 1]);
    const row = (t: tf.Tensor1D): tf.Tensor2D => tf.reshape(t, [1, count]);
    // [M, M] pairwise intersection and IoU (i = row, j = column).
    const width = tf.relu(tf.sub(tf.minimum(column(x2), row(x2)), tf.maximum(column(x1), row(x1))));
    const height = tf.relu(tf.sub(tf.minimum(column(y2), row(y2)), tf.maximum(column(y1), row(y1))));
    const intersection = tf.mul(width, height);
    const union = tf.sub(tf.add(column(area), row(area)), intersection);
    const iou = tf.div(intersection, tf.maximum(union, 1e-9));
    const classValues = tf.cast(classes, 'float32');
    const sameClass = tf.equal(column(classValues), row(classValues));
    // Strictly upper triangular: only a higher-ranked candidate (i < j) can suppress j.
    const earlier = tf.sub(tf.linalg.bandPart(tf.ones([count, count]), 0, -1), tf.eye(count));
    const suppresses = tf.mul(tf.cast(tf.logicalAnd(tf.greater(iou, iouThreshold), sameClass), 'float32'), earlier);
    let keep: tf.Tensor1D = tf.ones([count]);
    for (let round = 0; round < rounds; round++) {
      const next = tf.sub(1, tf.max(tf.mul(column(keep), suppresses), 0)) as tf.Tensor1D;
      keep.dispose();
      keep = next;
    }
    return keep;
  });
}

/**
 * Keeps the best `maxRows` rows that survive greedy class-aware NMS, on the backend.
 * In: `rows` [M, ROW_WIDTH] sorted by score (columns 0–3 the box, 4 the score, 5 the class).
 * Out: [min(maxRows, M), ROW_WIDTH] sorted by score; suppressed rows that fill the tail get score −1.
 */
export function suppressRowsOnBackend(rows: tf.Tensor2D, iouThreshold: number, maxRows: number): tf.Tensor2D {
  return tf.tidy(() => {
    const count = rows.shape[0];
    const boxes = tf.slice(rows, [0, 0], [count, 4]) as tf.Tensor2D;
    const scores = tf.reshape(tf.slice(rows, [0, 4], [count, 1]), [count]) as tf.Tensor1D;
    const classes = tf.reshape(tf.slice(rows, [0, 5], [count, 1]), [count]) as tf.Tensor1D;
    const keep = greedyNmsMask(boxes, classes, iouThreshold);
    const ranked = tf.where(tf.greater(keep, 0.5), scores, tf.fill([count], -1));
    const { indices } = tf.topk(ranked, Math.min(maxRows, count), true);
    const width = rows.shape[1];
    const withRanked = tf.concat([boxes, tf.reshape(ranked, [count, 1]), tf.slice(rows, [0, 5], [count, width - 5])], 1);
    return tf.gather(withRanked, indices) as tf.Tensor2D;
  });
}
