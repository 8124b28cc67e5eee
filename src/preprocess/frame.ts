import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../errors.js';
import type { FrameSource } from '../types.js';

/** A frame as a tensor on the current backend, and whether we made it (and so must dispose it). */
export interface FrameTensor {
  /** [H, W, 3] RGB, values 0..255 (int32 from pixels, any numeric dtype from a caller's tensor). */
  tensor: tf.Tensor3D;
  width: number;
  height: number;
  owned: boolean;
}

// tfjs reads OffscreenCanvas through its canvas path (it only needs getContext).
type PixelSource = Exclude<FrameSource, tf.Tensor3D | VideoFrame | OffscreenCanvas>;

/** Width and height of a browser frame source, or 0 when it has no pixels yet. */
export function sourceSize(source: Exclude<FrameSource, tf.Tensor3D>): { width: number; height: number } {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) {
    // HAVE_CURRENT_DATA (2): a frame can be read.
    return source.readyState >= 2 ? { width: source.videoWidth, height: source.videoHeight } : { width: 0, height: 0 };
  }
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
    return source.complete ? { width: source.naturalWidth, height: source.naturalHeight } : { width: 0, height: 0 };
  }
  if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) {
    return { width: source.displayWidth, height: source.displayHeight };
  }
  const sized = source as Exclude<typeof source, VideoFrame>;
  return { width: sized.width, height: sized.height };
}

/**
 * Turns any supported source into an RGB tensor on the current backend. Browser sources go through
 * `tf.browser.fromPixels` (on the GPU backends a GPU-side copy of the frame, no CPU round trip).
 * Throws `LoupeError('bad-input')` for sources without pixels or tensors of the wrong shape.
 */
export async function frameToTensor(source: FrameSource): Promise<FrameTensor> {
  if (source instanceof tf.Tensor) {
    if (source.rank !== 3 || source.shape[2] !== 3) {
      throw new LoupeError('bad-input', `A tensor source must be RGB HWC [height, width, 3]; got shape [${source.shape.join(', ')}].`);
    }
    if (source.isDisposed) throw new LoupeError('bad-input', 'The source tensor has been disposed.');
    return { tensor: source, width: source.shape[1], height: source.shape[0], owned: false };
  }
  const { width, height } = sourceSize(source);
  if (!(width > 0 && height > 0)) {
    throw new LoupeError('bad-input', 'The source has no pixels yet (a video not playing, an image not loaded, or a zero-size canvas).');
  }
  // fromPixels does not take VideoFrame in tfjs 4.22, and reads an <img> at its *displayed* size
  // (`img.width × img.height`, the layout box), not its natural one: a picture shown at 834 × 600 would
  // reach the model stretched to that. Both go through an ImageBitmap of the natural pixels
  // (GPU-backed in Chromium).
  const displayedImage = typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement && (source.width !== width || source.height !== height);
  if ((typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) || displayedImage) {
    const bitmap = await createImageBitmap(source as VideoFrame | HTMLImageElement);
    try {
      return { tensor: tf.browser.fromPixels(bitmap), width, height, owned: true };
    } finally {
      bitmap.close();
    }
  }
  return { tensor: tf.browser.fromPixels(source as PixelSource), width, height, owned: true };
}

