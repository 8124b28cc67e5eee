import * as tf from '@tensorflow/tfjs';
import type { LetterboxTransform } from '../types.js';

/**
 * The centred letterbox of a `sourceWidth × sourceHeight` frame into a model input of at most
 * `maxInputWidth × maxInputHeight`: one uniform scale `min(maxW/srcW, maxH/srcH)`, the resized content
 * rounded to whole pixels, and the remaining border split in two (the extra pixel, if any, goes
 * right/bottom). The input is the maximum, or with `multiple` (rectangular inputs) the smallest multiple
 * of it on each side that holds the content (768×576 into 512×512 → content 512×384, input 512×384).
 *
 * `scaleX`/`scaleY` are the exact ratios of the rounded content size to the source size, so that
 * `input = source · scale + pad` holds for the resampled pixels and `unletterbox` inverts it exactly.
 */
export function computeLetterbox(
  sourceWidth: number,
  sourceHeight: number,
  maxInputWidth: number,
  maxInputHeight: number,
  multiple?: number,
): LetterboxTransform {
  const scale = Math.min(maxInputWidth / sourceWidth, maxInputHeight / sourceHeight);
  const contentWidth = Math.min(maxInputWidth, Math.max(1, Math.round(sourceWidth * scale)));
  const contentHeight = Math.min(maxInputHeight, Math.max(1, Math.round(sourceHeight * scale)));
  // Rectangular input: shrink the input to the next multiple that holds the content (≤ the maximum).
  const fit = (content: number, max: number): number => (multiple ? Math.min(max, Math.ceil(content / multiple) * multiple) : max);
  const inputWidth = fit(contentWidth, maxInputWidth);
  const inputHeight = fit(contentHeight, maxInputHeight);
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
