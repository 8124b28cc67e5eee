import * as tf from '@tensorflow/tfjs';
import { LoupeError, asLoupeError } from '../errors.js';
import type { FrameSource } from '../types.js';

/** A frame as a tensor on the current backend, and whether we made it (and so must dispose it). */
export interface FrameTensor {
  /** [H, W, 3] RGB, values 0..255 (int32 from pixels, any numeric dtype from a caller's tensor). */
  tensor: tf.Tensor3D;
  width: number;
  height: number;
  owned: boolean;
}

/**
 * A frame that passed the input gate (`checkFrame`): what kind of source it is and its size (both > 0).
 * `drawable`: anything `drawImage` and `fromPixels` take; `pixels`: an `ImageData` (bytes, not drawable).
 */
export type Frame =
  | { kind: 'tensor'; source: tf.Tensor3D; width: number; height: number }
  | { kind: 'pixels'; source: ImageData; width: number; height: number }
  | { kind: 'drawable'; source: DrawableSource; width: number; height: number };

/** A browser source `drawImage` takes. */
export type DrawableSource = Exclude<FrameSource, tf.Tensor3D | ImageData>;

const FRAME_SOURCES = 'a video, image, canvas, OffscreenCanvas, ImageBitmap, ImageData, VideoFrame, or an RGB tensor [height, width, 3]';

/** Dtypes a tensor frame may have (pixel values 0..255). */
const FRAME_DTYPES: readonly string[] = ['int32', 'float32'];

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object' && typeof value !== 'function') return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40) ?? String(value)})`;
  const name = (value as object).constructor?.name;
  if (!name || name === 'Object') return 'a plain object';
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}

const isA = <T>(type: { prototype: T } | undefined, value: unknown): value is T => type !== undefined && value instanceof (type as unknown as new () => T);

/** Width and height of a browser frame source, or 0 when it has no pixels yet. */
export function sourceSize(source: DrawableSource): { width: number; height: number } {
  if (isA(globalThis.HTMLVideoElement, source)) {
    // HAVE_CURRENT_DATA (2): a frame can be read.
    return source.readyState >= 2 ? { width: source.videoWidth, height: source.videoHeight } : { width: 0, height: 0 };
  }
  if (isA(globalThis.HTMLImageElement, source)) {
    return source.complete ? { width: source.naturalWidth, height: source.naturalHeight } : { width: 0, height: 0 };
  }
  if (isA(globalThis.VideoFrame, source)) return { width: source.displayWidth, height: source.displayHeight };
  const sized = source as Exclude<DrawableSource, VideoFrame>;
  return { width: sized.width, height: sized.height };
}

/** Why a browser source of this kind has no pixels, in words a caller can act on. */
function emptyReason(source: DrawableSource): string {
  if (isA(globalThis.HTMLVideoElement, source)) return `The video has no frame to read yet (readyState ${source.readyState}): wait for its 'loadeddata' event.`;
  if (isA(globalThis.HTMLImageElement, source)) return source.complete ? 'The image failed to load (it has no pixels).' : "The image has not loaded yet: wait for its 'load' event.";
  if (isA(globalThis.ImageBitmap, source)) return 'The ImageBitmap has no pixels (it was closed, or is 0×0).';
  if (isA(globalThis.VideoFrame, source)) return 'The VideoFrame has no pixels (it was closed).';
  return `The canvas is ${(source as HTMLCanvasElement).width}×${(source as HTMLCanvasElement).height}: it has no pixels.`;
}

function isDrawableSource(value: unknown): value is DrawableSource {
  const g = globalThis as unknown as Record<string, { prototype: unknown } | undefined>;
  return ['HTMLVideoElement', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap', 'VideoFrame'].some((name) => isA(g[name], value));
}

/**
 * The input gate: every `detect()` source passes here before any tfjs op. Returns the frame, or throws
 * `LoupeError('bad-input')` saying what is wrong with it: not a frame source at all (null, a string, a
 * plain object), a tensor that is disposed, not numeric, not [height, width, 3] or of zero size, a tensor
 * of another copy of tfjs, or a browser source without pixels (a video before its first frame, an image
 * not loaded or broken, a zero-size canvas, a closed ImageBitmap or VideoFrame).
 */
export function checkFrame(source: unknown): Frame {
  if (source instanceof tf.Tensor) {
    if (source.isDisposed) throw new LoupeError('bad-input', 'The source tensor has been disposed.');
    if (!FRAME_DTYPES.includes(source.dtype)) {
      throw new LoupeError('bad-input', `A tensor source must hold pixel values (${FRAME_DTYPES.join(' or ')}); got dtype ${source.dtype}.`);
    }
    if (source.rank !== 3 || source.shape[2] !== 3) {
      throw new LoupeError('bad-input', `A tensor source must be RGB HWC [height, width, 3]; got shape [${source.shape.join(', ')}].`);
    }
    const [height, width] = source.shape as [number, number, number];
    if (!(height > 0 && width > 0)) throw new LoupeError('bad-input', `The source tensor has no pixels: shape [${source.shape.join(', ')}].`);
    return { kind: 'tensor', source: source as tf.Tensor3D, width, height };
  }
  if (source !== null && typeof source === 'object' && 'dataId' in source && 'shape' in source && 'dtype' in source) {
    throw new LoupeError('bad-input', "The source tensor belongs to another copy of TensorFlow.js than Loupe's: make it with the tfjs Loupe runs on (one tfjs per page).");
  }
  if (isA(globalThis.ImageData, source)) {
    if (!(source.width > 0 && source.height > 0)) throw new LoupeError('bad-input', `The ImageData is ${source.width}×${source.height}: it has no pixels.`);
    return { kind: 'pixels', source, width: source.width, height: source.height };
  }
  if (!isDrawableSource(source)) throw new LoupeError('bad-input', `detect() takes ${FRAME_SOURCES}; got ${describe(source)}.`);
  const { width, height } = sourceSize(source);
  if (!(width > 0 && height > 0)) throw new LoupeError('bad-input', emptyReason(source));
  return { kind: 'drawable', source, width, height };
}

/**
 * A gated frame as an RGB tensor on the current backend. Browser sources go through
 * `tf.browser.fromPixels` (on the GPU backends a GPU-side copy of the frame, no CPU round trip); a
 * failure to read their pixels (a tainted cross-origin canvas, a bitmap closed meanwhile) is `bad-input`.
 */
export async function frameToTensor(frame: Frame): Promise<FrameTensor> {
  const { width, height } = frame;
  if (frame.kind === 'tensor') return { tensor: frame.source, width, height, owned: false };
  try {
    if (frame.kind === 'pixels') return { tensor: tf.browser.fromPixels(frame.source), width, height, owned: true };
    const source = frame.source;
    // fromPixels does not take VideoFrame in tfjs 4.22, and reads an <img> at its *displayed* size
    // (`img.width × img.height`, the layout box), not its natural one: a picture shown at 834 × 600 would
    // reach the model stretched to that. Both go through an ImageBitmap of the natural pixels
    // (GPU-backed in Chromium).
    const displayedImage = isA(globalThis.HTMLImageElement, source) && (source.width !== width || source.height !== height);
    if (isA(globalThis.VideoFrame, source) || displayedImage) {
      const bitmap = await createImageBitmap(source as VideoFrame | HTMLImageElement);
      try {
        return { tensor: tf.browser.fromPixels(bitmap), width, height, owned: true };
      } finally {
        bitmap.close();
      }
    }
    // tfjs reads OffscreenCanvas through its canvas path (it only needs getContext).
    return { tensor: tf.browser.fromPixels(source as Exclude<DrawableSource, VideoFrame | OffscreenCanvas>), width, height, owned: true };
  } catch (error) {
    throw asLoupeError(error, 'bad-input', 'Reading the frame failed');
  }
}
