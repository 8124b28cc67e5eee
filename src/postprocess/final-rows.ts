/**
 * The GPU path's last step: the model's NMS (if any) and unletterbox on the backend, then one async read
 * of the final rows.
 *
 * The model's NMS runs on the first `first` candidates only, and on all M only when those do not settle
 * the frame. Greedy NMS keeps or drops a candidate by the higher-scored ones alone, so when the last
 * candidate it saw already scores below the caller's threshold, every candidate left out does too, and
 * the kept rows at or above the threshold are exactly those of an NMS over all M. The read carries that
 * candidate's score (one float more) to tell. The M × M suppression costs ~45 passes over M² values:
 * for NanoDet's M = 1,000 that is 15 × the work of M = 256, which on a software GPU is seconds a frame.
 */
import * as tf from '@tensorflow/tfjs';
import { ROW_WIDTH } from '../model-descriptor.js';
import type { LetterboxTransform } from '../types.js';
import { suppressRowsOnBackend } from './gpu-nms.js';
import { unletterboxBoxes } from './unletterbox.js';

/** Candidates the GPU NMS looks at first (see the module comment). */
export const NMS_FIRST_CANDIDATES = 256;

/**
 * In: `rows` [M, ROW_WIDTH] sorted by score, input px (not disposed). Out: [K · ROW_WIDTH + 1] flat —
 * the K final rows in source px, then the score of the last candidate the NMS saw (−1 when it saw all
 * M). Without NMS (`nmsIou` null) the rows are only unletterboxed.
 */
export function finishOnBackend(rows: tf.Tensor2D, letterbox: LetterboxTransform, maxDetections: number, nmsIou: number | null, first = Infinity): tf.Tensor1D {
  return tf.tidy(() => {
    const count = rows.shape[0];
    const seen = nmsIou !== null ? Math.min(count, first) : count;
    const head = seen < count ? tf.slice(rows, [0, 0], [seen, ROW_WIDTH]) : rows;
    const final = nmsIou !== null ? suppressRowsOnBackend(head, nmsIou, maxDetections) : head;
    const [boxes, rest] = tf.split(final, [4, ROW_WIDTH - 4], 1) as [tf.Tensor2D, tf.Tensor2D];
    const sourceRows = tf.concat([unletterboxBoxes(boxes, letterbox), rest], 1);
    const lastSeen = seen < count ? tf.reshape(tf.slice(rows, [seen - 1, 4], [1, 1]), [1]) : tf.tensor1d([-1]);
    return tf.concat([tf.reshape(sourceRows, [-1]), lastSeen]) as tf.Tensor1D;
  });
}

/**
 * The final rows of a frame, read once (twice when the first candidates did not settle it, see the
 * module comment). Out: [K · ROW_WIDTH] in source px, sorted by score. `rows` is not disposed.
 */
export async function readFinalRows(
  rows: tf.Tensor2D,
  letterbox: LetterboxTransform,
  maxDetections: number,
  nmsIou: number | null,
  scoreThreshold: number,
  first = NMS_FIRST_CANDIDATES,
): Promise<Float32Array> {
  const read = async (candidates: number): Promise<Float32Array> => {
    const flat = finishOnBackend(rows, letterbox, maxDetections, nmsIou, candidates);
    try {
      return (await flat.data()) as Float32Array;
    } finally {
      flat.dispose();
    }
  };
  let values = await read(first);
  if (values[values.length - 1]! >= scoreThreshold) values = await read(Infinity);
  return values.subarray(0, values.length - 1);
}
