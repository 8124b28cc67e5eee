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
