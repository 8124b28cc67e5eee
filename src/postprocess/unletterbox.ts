import * as tf from '@tensorflow/tfjs';
import type { LetterboxTransform } from '../types.js';

/**
 * Takes decoded boxes from model-input pixels to source pixels and clips them to the source, on the
 * backend (no readback). In: `boxes` [K, 4] as (x1, y1, x2, y2) input px. Out: [K, 4] source px.
 */
export function unletterboxBoxes(boxes: tf.Tensor2D, transform: LetterboxTransform): tf.Tensor2D {
  return tf.tidy(() => {
    const offset = tf.tensor1d([transform.padX, transform.padY, transform.padX, transform.padY]);
    const scale = tf.tensor1d([transform.scaleX, transform.scaleY, transform.scaleX, transform.scaleY]);
    const limit = tf.tensor1d([transform.sourceWidth, transform.sourceHeight, transform.sourceWidth, transform.sourceHeight]);
    const source = tf.div(tf.sub(boxes, offset), scale);
    return tf.minimum(tf.maximum(source, 0), limit) as tf.Tensor2D;
  });
}

/** The same mapping on rows already read back: boxes (columns 0–3) of `rows` to source px, in place. */
export function unletterboxRows(rows: Float32Array, width: number, transform: LetterboxTransform): Float32Array {
  const { padX, padY, scaleX, scaleY, sourceWidth, sourceHeight } = transform;
  const clip = (v: number, limit: number): number => Math.min(Math.max(v, 0), limit);
  for (let i = 0; i + width <= rows.length; i += width) {
    rows[i] = clip((rows[i]! - padX) / scaleX, sourceWidth);
    rows[i + 1] = clip((rows[i + 1]! - padY) / scaleY, sourceHeight);
    rows[i + 2] = clip((rows[i + 2]! - padX) / scaleX, sourceWidth);
    rows[i + 3] = clip((rows[i + 3]! - padY) / scaleY, sourceHeight);
  }
  return rows;
}
