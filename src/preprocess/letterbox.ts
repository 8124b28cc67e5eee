import * as tf from '@tensorflow/tfjs';
import type { LetterboxTransform } from '../types.js';

/**
 * The centred letterbox of a `sourceWidth × sourceHeight` frame into an `inputWidth × inputHeight`
 * model input: one uniform scale `min(inW/srcW, inH/srcH)`, the resized content rounded to whole
 * pixels, and the remaining border split in two (the extra pixel, if any, goes right/bottom).
 *
 * `scaleX`/`scaleY` are the exact ratios of the rounded content size to the source size, so that
 * `input = source · scale + pad` holds for the resampled pixels and `unletterbox` inverts it exactly.
 */
export function computeLetterbox(
  sourceWidth: number,
  sourceHeight: number,
  inputWidth: number,
  inputHeight: number,
): LetterboxTransform {
  const scale = Math.min(inputWidth / sourceWidth, inputHeight / sourceHeight);
  const contentWidth = Math.min(inputWidth, Math.max(1, Math.round(sourceWidth * scale)));
  const contentHeight = Math.min(inputHeight, Math.max(1, Math.round(sourceHeight * scale)));
  return {
    sourceWidth,
    sourceHeight,
    inputWidth,
    inputHeight,
    contentWidth,
    contentHeight,
    scaleX: contentWidth / sourceWidth,
    scaleY: contentHeight / sourceHeight,
    padX: Math.floor((inputWidth - contentWidth) / 2),
    padY: Math.floor((inputHeight - contentHeight) / 2),
  };
}

/**
 * Resizes and pads a frame on the current backend.
 * In: `frame` [H, W, 3] (any numeric dtype, values as the model expects them before padding).
 * Out: [1, inputHeight, inputWidth, 3] float32, content bilinear-resampled with half-pixel centres
 * (as OpenCV's `cv2.resize`), border filled with `padValue`. The caller owns the result.
 */
export function letterboxFrame(frame: tf.Tensor3D, transform: LetterboxTransform, padValue = 0): tf.Tensor4D {
  return tf.tidy(() => {
    const asFloat = frame.dtype === 'float32' ? frame : tf.cast(frame, 'float32');
    const sameSize = transform.contentWidth === frame.shape[1] && transform.contentHeight === frame.shape[0];
    const resized = sameSize
      ? asFloat
      : tf.image.resizeBilinear(asFloat, [transform.contentHeight, transform.contentWidth], false, true);
    const right = transform.inputWidth - transform.contentWidth - transform.padX;
    const bottom = transform.inputHeight - transform.contentHeight - transform.padY;
    const padded = tf.pad(
      resized,
      [
        [transform.padY, bottom],
        [transform.padX, right],
        [0, 0],
      ],
      padValue,
    );
    return tf.expandDims(padded, 0) as tf.Tensor4D;
  });
}

/** Maps a point from model-input pixels back to source pixels (the inverse of the letterbox). */
export function inputToSource(transform: LetterboxTransform, x: number, y: number): { x: number; y: number } {
  return { x: (x - transform.padX) / transform.scaleX, y: (y - transform.padY) / transform.scaleY };
}
