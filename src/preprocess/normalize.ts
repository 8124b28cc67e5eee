import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from '../model-descriptor.js';

/**
 * `InputSpec.normalize` from a declarative `InputSpec.pixels`, for the tensor path.
 * In: [1, H, W, 3] RGB 0..255 float32. Out: [1, H, W, 3] (or [1, 3, H, W] for `layout: 'nchw'`) in the
 * graph's channel order, `(v − mean) / std` per channel — what the canvas ingest writes in one pass.
 */
export function pixelNormalizer(pixels: NonNullable<InputSpec['pixels']>, layout: 'nhwc' | 'nchw' = 'nhwc'): (rgb255: tf.Tensor4D) => tf.Tensor {
  return (rgb255) =>
    tf.tidy(() => {
      const ordered = pixels.channels === 'bgr' ? tf.reverse(rgb255, -1) : rgb255;
      const normalised = tf.div(tf.sub(ordered, tf.tensor1d([...pixels.mean])), tf.tensor1d([...pixels.std]));
      return layout === 'nchw' ? tf.transpose(normalised, [0, 3, 1, 2]) : normalised;
    });
}
