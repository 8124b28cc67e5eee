/**
 * Frame ingest on the CPU backends (WASM, CPU) with the browser's own scaled `drawImage`.
 *
 * The tensor path (`frame.ts` + `letterbox.ts`) makes the whole frame a tensor first: tfjs draws it into
 * a frame-sized canvas, reads every pixel back (`getImageData`, 1.7 MB for 768×576), converts them to an
 * int32 tensor, casts to float32, resamples, pads, and then normalises with a few more ops. Here the
 * browser draws the frame already scaled into a model-sized canvas (border pre-filled), only those pixels
 * are read, and one pass over them writes the model's input as the graph takes it — channel order,
 * (v − mean) / std, NHWC or NCHW — so no tfjs op runs before the model.
 *
 * Resampling: Chromium's `drawImage` with `imageSmoothingQuality = 'low'` is bilinear, but not exactly
 * tfjs's half-pixel-centre bilinear, and it rounds to 8 bits; inputs differ by a few grey levels
 * (docs/performance.md measures what that does to boxes and to COCO AP).
 */
import * as tf from '@tensorflow/tfjs';
import type { InputSpec, ModelDescriptor } from '../model-descriptor.js';
import type { FrameIngest, LetterboxTransform } from '../types.js';
import type { DrawableSource, Frame } from './frame.js';
import { computeLetterbox } from './letterbox.js';
import { isGpuBackend } from '../runtime/backend-kind.js';

let context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;

function canvasContext(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (!context) {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
    // willReadFrequently: a CPU-backed canvas, so getImageData does not read back from the GPU.
    context = canvas.getContext('2d', { willReadFrequently: true, alpha: false }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (!context) throw new Error('No 2D canvas context for the letterbox.');
  }
  if (context.canvas.width !== width || context.canvas.height !== height) {
    context.canvas.width = width;
    context.canvas.height = height;
  }
  return context;
}

/** A source-sized canvas an `ImageData` frame is put into, so the browser can scale it like any source. */
let staging: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;

/** `pixels` as a drawable canvas of its own size. */
function stagedPixels(pixels: ImageData): CanvasImageSource {
  if (!staging) {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(pixels.width, pixels.height) : document.createElement('canvas');
    staging = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (!staging) throw new Error('No 2D canvas context for an ImageData frame.');
  }
  if (staging.canvas.width !== pixels.width || staging.canvas.height !== pixels.height) {
    staging.canvas.width = pixels.width;
    staging.canvas.height = pixels.height;
  }
  staging.putImageData(pixels, 0, 0);
  return staging.canvas;
}

/**
 * RGBA bytes [H·W·4] → the model input's values, in one pass: `pixels` picks the channel order and the
 * per-channel (v − mean) / std (in the graph's channel order), `layout` NHWC ([H, W, 3]) or NCHW
 * ([3, H, W]). Without `pixels` the values stay RGB 0..255. Exported for the unit test.
 */
export function rgbaToInput(rgba: Uint8ClampedArray, pixelCount: number, layout: 'nhwc' | 'nchw', pixels?: InputSpec['pixels']): Float32Array {
  const values = new Float32Array(pixelCount * 3);
  // Source byte offset (0 R, 1 G, 2 B) of each of the graph's channels, and its affine v · scale + shift.
  const order = pixels?.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const scale = [0, 1, 2].map((c) => 1 / (pixels?.std[c] ?? 1));
  const shift = [0, 1, 2].map((c) => -(pixels?.mean[c] ?? 0) / (pixels?.std[c] ?? 1));
  const [o0, o1, o2] = order as [number, number, number];
  const [s0, s1, s2] = scale as [number, number, number];
  const [b0, b1, b2] = shift as [number, number, number];
  if (layout === 'nchw') {
    const plane1 = pixelCount;
    const plane2 = 2 * pixelCount;
    for (let i = 0, j = 0; i < pixelCount; i++, j += 4) {
      values[i] = rgba[j + o0]! * s0 + b0;
      values[plane1 + i] = rgba[j + o1]! * s1 + b1;
      values[plane2 + i] = rgba[j + o2]! * s2 + b2;
    }
  } else {
    for (let i = 0, j = 0; i < pixelCount * 3; i += 3, j += 4) {
      values[i] = rgba[j + o0]! * s0 + b0;
      values[i + 1] = rgba[j + o1]! * s1 + b1;
      values[i + 2] = rgba[j + o2]! * s2 + b2;
    }
  }
  return values;
}

/**
 * The letterboxed model input for a browser source, drawn by the browser.
 * In: a frame of `sourceWidth × sourceHeight` pixels; `multiple` for a rectangular input (see
 * `computeLetterbox`). Out: the model input — [1, H, W, 3] (or
 * [1, 3, H, W] for `layout: 'nchw'`) float32, the border drawn with `padValue` before `pixels`' affine —
 * and its transform. The caller owns the tensor.
 */
export function canvasLetterbox(
  source: DrawableSource | ImageData,
  sourceWidth: number,
  sourceHeight: number,
  input: Pick<InputSpec, 'width' | 'height' | 'padValue' | 'layout' | 'pixels'>,
  multiple?: number,
): { input: tf.Tensor4D; letterbox: LetterboxTransform } {
  const letterbox = computeLetterbox(sourceWidth, sourceHeight, input.width, input.height, multiple);
  const { inputWidth: width, inputHeight: height } = letterbox;
  const ctx = canvasContext(width, height);
  const grey = Math.round(Math.min(255, Math.max(0, input.padValue)));
  ctx.fillStyle = `rgb(${grey}, ${grey}, ${grey})`;
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low'; // bilinear
  const drawable = typeof ImageData !== 'undefined' && source instanceof ImageData ? stagedPixels(source) : (source as CanvasImageSource);
  ctx.drawImage(drawable, 0, 0, sourceWidth, sourceHeight, letterbox.padX, letterbox.padY, letterbox.contentWidth, letterbox.contentHeight);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const layout = input.layout ?? 'nhwc';
  const values = rgbaToInput(rgba, width * height, layout, input.pixels);
  const shape: [number, number, number, number] = layout === 'nchw' ? [1, 3, height, width] : [1, height, width, 3];
  return { input: tf.tensor4d(values, shape, 'float32'), letterbox };
}

/** Whether `frame` will take the canvas path for `descriptor` on `backend` (see `canvasIngest`). */
export function usesCanvasIngest(descriptor: ModelDescriptor, frame: Pick<Frame, 'kind'>, backend: string, ingest: FrameIngest): boolean {
  if (ingest === 'tensor' || descriptor.preprocess || frame.kind === 'tensor') return false;
  if (ingest === 'auto' && isGpuBackend(backend)) return false;
  if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') return false;
  // A custom `normalize` without a declarative `pixels` would need tfjs ops after the draw: that is the
  // tensor path's job, and the two paths should not each carry half of a model's preprocessing.
  return !descriptor.input.normalize || descriptor.input.pixels !== undefined;
}

/**
 * The model input through the canvas, when it applies (`usesCanvasIngest`: `ingest` 'canvas', or 'auto'
 * on a CPU backend; a browser source or ImageData; no custom `preprocess`). Otherwise null, and the
 * caller takes the tensor path. `frame` has passed the input gate (`checkFrame`). `multiple`: rectangular input.
 */
export function canvasIngest(
  descriptor: ModelDescriptor,
  frame: Frame,
  backend: string,
  ingest: FrameIngest,
  multiple?: number,
): { input: tf.Tensor; letterbox: LetterboxTransform } | null {
  if (frame.kind === 'tensor' || !usesCanvasIngest(descriptor, frame, backend, ingest)) return null;
  return canvasLetterbox(frame.source, frame.width, frame.height, descriptor.input, multiple);
}
