/**
 * Ultralytics' letterbox, exactly (`ultralytics/data/augment.py` `LetterBox`, `utils/ops.py` `scale_boxes`;
 * research notes decoders.md §4.2):
 *
 *     r = min(H / h, W / w);  new = (round(w·r), round(h·r))        Python round: half to even
 *     dw, dh = (W − new_w) / 2, (H − new_h) / 2
 *     left = round(dw − 0.1), top = round(dh − 0.1)                 the extra pixel goes right/bottom
 *     pad with 114 grey, RGB, ÷ 255
 *
 * and its inverse `box = (box − (left, top)) / r`, then clip to the image. The transform returned here
 * carries `scaleX = scaleY = r` (not the rounded content ratio the engine's own letterbox uses), so the
 * engine's `unletterboxBoxes` is exactly `scale_boxes`.
 */
import * as tf from '@tensorflow/tfjs';
import { letterboxFrame } from '../../src/preprocess/letterbox.js';
import type { LetterboxTransform } from '../../src/types.js';

/** Ultralytics' letterbox grey, in 0..255. */
export const ULTRALYTICS_PAD_VALUE = 114;

/** Python 3's `round()`: to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor + 0; // + 0: never −0
  return floor % 2 === 0 ? floor + 0 : floor + 1;
}

/** The letterbox of a `sourceWidth × sourceHeight` frame into the `inputWidth × inputHeight` model input. */
export function ultralyticsLetterbox(sourceWidth: number, sourceHeight: number, inputWidth: number, inputHeight: number): LetterboxTransform {
  const gain = Math.min(inputHeight / sourceHeight, inputWidth / sourceWidth);
  const contentWidth = Math.min(inputWidth, Math.max(1, roundHalfEven(sourceWidth * gain)));
  const contentHeight = Math.min(inputHeight, Math.max(1, roundHalfEven(sourceHeight * gain)));
  return {
    sourceWidth,
    sourceHeight,
    inputWidth,
    inputHeight,
    contentWidth,
    contentHeight,
    scaleX: gain,
    scaleY: gain,
    padX: roundHalfEven((inputWidth - contentWidth) / 2 - 0.1),
    padY: roundHalfEven((inputHeight - contentHeight) / 2 - 0.1),
  };
}

/**
 * In: `frame` [H, W, 3] RGB 0..255. Out: the model input — [1, inH, inW, 3] float32 RGB 0..1 (or
 * [1, 3, inH, inW] for an NCHW graph), content bilinear-resampled with half-pixel centres like
 * `cv2.resize`, border 114 — and the transform whose inverse is `scale_boxes`.
 */
export function preprocessUltralytics(
  frame: tf.Tensor3D,
  input: { width: number; height: number; layout: 'nhwc' | 'nchw' },
): { input: tf.Tensor; letterbox: LetterboxTransform } {
  const [height, width] = frame.shape;
  const letterbox = ultralyticsLetterbox(width, height, input.width, input.height);
  const tensor = tf.tidy(() => {
    const boxed = tf.div(letterboxFrame(frame, letterbox, ULTRALYTICS_PAD_VALUE), 255);
    return input.layout === 'nchw' ? tf.transpose(boxed, [0, 3, 1, 2]) : boxed;
  });
  return { input: tensor, letterbox };
}
