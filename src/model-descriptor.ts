/**
 * The contract between the engine and the model knowledge in `models/`. A descriptor says how to feed
 * a graph and which outputs to run; its decoder turns those outputs into candidate rows on the GPU.
 * Decoders are pure functions of (raw outputs, options): they never read back and never touch the DOM.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MapHandle } from './types.js';

/** How the frame must look when it enters the graph. */
export interface InputSpec {
  /** Graph input name, e.g. `tower_0/images`. */
  name: string;
  width: number;
  height: number;
  /** Value of letterbox padding, in the 0..255 pixel scale before normalisation. */
  padValue: number;
  /**
   * Turns the letterboxed batch [1, H, W, 3] RGB 0..255 float32 into what the graph takes
   * (channel order, normalisation, layout). Identity when the graph takes RGB 0..255 NHWC.
   */
  normalize?: (rgb255: tf.Tensor4D) => tf.Tensor;
}

/** What a decoder gives back for one frame. The caller owns every tensor in it. */
export interface DecodedFrame {
  /**
   * [K, 6] float32 rows `(x1, y1, x2, y2, score, classId)` in model-input pixels, sorted by score,
   * not thresholded (K = min(maxDetections, candidates)).
   */
  rows: tf.Tensor2D;
  /** The model's maps for overlays, kept on the GPU. */
  maps: Record<string, MapHandle<tf.Rank.R3>>;
}

export interface DecodeOptions {
  maxDetections: number;
}

export interface ModelDescriptor {
  /** Registry id, e.g. `centernet`. */
  id: string;
  title: string;
  /** Graph file, relative to the model base URL. */
  graphFile: string;
  input: InputSpec;
  /** Graph nodes `execute()` must return, in the order the decoder takes them. */
  outputs: readonly string[];
  labels: readonly string[];
  /** Largest `maxDetections` the decoder supports. */
  maxDetectionsLimit: number;
  defaults: { scoreThreshold: number; maxDetections: number; nmsIouThreshold: number | null };
  /** Decodes `execute()`'s outputs (same order as `outputs`). Must not dispose its inputs. */
  decode(outputs: readonly tf.Tensor[], options: DecodeOptions): DecodedFrame;
}
