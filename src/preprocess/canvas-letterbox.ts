/**
 * Letterbox on the CPU backends (WASM, CPU) with the browser's own scaled `drawImage`.
 *
 * The default path (`frame.ts` + `letterbox.ts`) makes the whole frame a tensor first: tfjs draws it into
 * a frame-sized canvas, reads every pixel back (`getImageData`, 1.7 MB for 768×576), converts them to an
 * int32 tensor, casts to float32, resamples and pads. Here the browser draws the frame already scaled
 * into a model-sized canvas (border pre-filled), only those pixels are read, and they go straight into
 * the float32 [1, H, W, 3] input: one small read, one pass over the pixels, no resize op.
 *
 * Resampling: Chromium's `drawImage` with `imageSmoothingQuality = 'low'` is bilinear, but not exactly
 * tfjs's half-pixel-centre bilinear; inputs differ by a few grey levels (see docs/performance.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelDescriptor } from '../model-descriptor.js';
import type { FrameSource, LetterboxTransform } from '../types.js';
import { sourceSize } from './frame.js';
import { computeLetterbox } from './letterbox.js';

/** A browser source `drawImage` takes. */
export type DrawableSource = Exclude<FrameSource, tf.Tensor3D>;

let context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;

function canvasContext(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (!context) {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
    context = canvas.getContext('2d', { willReadFrequently: true, alpha: false }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (!context) throw new Error('No 2D canvas context for the letterbox.');
  }
  if (context.canvas.width !== width || context.canvas.height !== height) {
    context.canvas.width = width;
    context.canvas.height = height;
  }
  return context;
}

/** Whether `source` can be drawn (a browser image source, not a tensor). */
export function isDrawable(source: FrameSource): source is DrawableSource {
  return !(source instanceof tf.Tensor);
}

/**
 * The letterboxed model input for a browser source, drawn by the browser.
 * In: a frame of `sourceWidth × sourceHeight` pixels. Out: [1, inputHeight, inputWidth, 3] float32 RGB
 * 0..255 with the border filled with `padValue`, and its transform. The caller owns the tensor.
 */
export function canvasLetterbox(
  source: DrawableSource,
  sourceWidth: number,
  sourceHeight: number,
  inputWidth: number,
  inputHeight: number,
  padValue = 0,
): { input: tf.Tensor4D; letterbox: LetterboxTransform } {
  const letterbox = computeLetterbox(sourceWidth, sourceHeight, inputWidth, inputHeight);
  const ctx = canvasContext(inputWidth, inputHeight);
  const grey = Math.round(Math.min(255, Math.max(0, padValue)));
  ctx.fillStyle = `rgb(${grey}, ${grey}, ${grey})`;
  ctx.fillRect(0, 0, inputWidth, inputHeight);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low'; // bilinear
  ctx.drawImage(source as CanvasImageSource, 0, 0, sourceWidth, sourceHeight, letterbox.padX, letterbox.padY, letterbox.contentWidth, letterbox.contentHeight);
  const rgba = ctx.getImageData(0, 0, inputWidth, inputHeight).data;
  const pixels = inputWidth * inputHeight;
  const values = new Float32Array(pixels * 3);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    values[i * 3] = rgba[j]!;
    values[i * 3 + 1] = rgba[j + 1]!;
    values[i * 3 + 2] = rgba[j + 2]!;
  }
  return { input: tf.tensor4d(values, [1, inputHeight, inputWidth, 3], 'float32'), letterbox };
}

/**
 * The model input through the canvas letterbox, when it applies: a CPU backend (`wasm`, `cpu`), a
 * browser image source with pixels, a canvas to draw on, and no custom `preprocess` in the descriptor.
 * Otherwise null (the caller takes the tensor path, which also reports sources without pixels).
 */
export function canvasPreprocess(
  descriptor: ModelDescriptor,
  source: FrameSource,
  backend: string,
): { input: tf.Tensor; letterbox: LetterboxTransform } | null {
  if (backend !== 'wasm' && backend !== 'cpu') return null;
  if (descriptor.preprocess || !isDrawable(source)) return null;
  if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') return null;
  const { width, height } = sourceSize(source);
  if (!(width > 0 && height > 0)) return null;
  const { width: inputWidth, height: inputHeight, normalize, padValue } = descriptor.input;
  const drawn = canvasLetterbox(source, width, height, inputWidth, inputHeight, padValue);
  if (!normalize) return drawn;
  const normalised = tf.tidy(() => normalize(drawn.input));
  drawn.input.dispose();
  return { input: normalised, letterbox: drawn.letterbox };
}
