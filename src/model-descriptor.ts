/**
 * The contract between the engine and the model knowledge in `models/`. A descriptor says how to feed
 * a graph and which outputs to run; its decoder turns those outputs into candidate rows on the GPU.
 * Decoders are pure functions of (raw outputs, options): they never read back and never touch the DOM.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LetterboxTransform, LevelMaps, MapHandle, OutputLevel } from './types.js';

/**
 * Columns of a decoded row: `(x1, y1, x2, y2, score, classId, level, position)`.
 * `level` indexes `ModelDescriptor.levels`; `position` is the flat index of the cell (and anchor) in that
 * level's grid: `(y · width + x) · anchors + anchor`. 8 float32 = 32 B per row (3.2 KB for 100 rows).
 */
export const ROW_WIDTH = 8;

/** One output level (see `OutputLevel`). */
export type LevelSpec = OutputLevel;

/** A model that takes the preprocessed input and returns the raw outputs the decoder expects. */
export interface RunnableModel {
  /** In: the preprocessed input. Out: raw outputs in the descriptor's `outputs` order; caller owns them. */
  execute(input: tf.Tensor): tf.Tensor[] | Promise<tf.Tensor[]>;
  dispose(): void;
}

/**
 * What a custom loader gets: the engine's one checked way to fetch model files. Use `loadArtifacts` (a
 * model.json) or `loadWeights` (a bare weights manifest) rather than tfjs's loaders, so that every model
 * gets the same checks (HTTP status, weight bytes against the manifest before any tensor exists), the
 * same progress, abort and stall timer, and no unhandled rejection from a failed shard.
 */
export interface LoadContext {
  /** Absolute URL of the descriptor's `graphFile` (or weights manifest). */
  url: string;
  /** A fetch that fails with a clear `model-load-failed` on HTTP errors (and carries the load's signal). */
  fetch: typeof fetch;
  /** The download's progress, 0..1 (`loadArtifacts` and `loadWeights` report it). */
  onProgress?: (fraction: number) => void;
  /** The model.json at `url` and its weight files, checked (`loadArtifacts` in src/runtime/load-graph.ts). */
  loadArtifacts(): Promise<tf.io.ModelArtifacts>;
  /** The weight files of `manifest` (found next to `url`), checked against it (`fetchWeights`). */
  loadWeights(manifest: tf.io.WeightsManifestConfig): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer[] }>;
}

/** How the frame must look when it enters the graph. */
export interface InputSpec {
  /** Graph input name, e.g. `tower_0/images`. */
  name: string;
  width: number;
  height: number;
  /** Value of letterbox padding, in the 0..255 pixel scale before normalisation. */
  padValue: number;
  /** Layout the graph's input declares (`normalize` produces it). Default `nhwc`. */
  layout?: 'nhwc' | 'nchw';
  /**
   * Turns the letterboxed batch [1, H, W, 3] RGB 0..255 float32 into what the graph takes
   * (channel order, normalisation, layout). Identity when the graph takes RGB 0..255 NHWC.
   */
  normalize?: (rgb255: tf.Tensor4D) => tf.Tensor;
  /**
   * The same normalisation stated as data, when it is a per-channel affine: the graph's channel order
   * and `(v − mean) / std` per channel in that order, on 0..255 values (build `normalize` from it with
   * `pixelNormalizer`). With it, the canvas ingest of CPU backends writes the graph's input in its one
   * pass over the pixels instead of running `normalize`'s ops; without it, a model with `normalize`
   * always takes the tensor path.
   */
  pixels?: {
    channels: 'rgb' | 'bgr';
    mean: readonly [number, number, number];
    std: readonly [number, number, number];
  };
}

/** What a decoder gives back for one frame. The caller owns every tensor in it. */
export interface DecodedFrame {
  /**
   * [K, ROW_WIDTH] float32 rows `(x1, y1, x2, y2, score, classId, level, position)` with boxes in
   * model-input pixels, sorted by score, not thresholded (K = min(maxDetections, candidates)).
   */
  rows: tf.Tensor2D;
  /** The model's maps for overlays, kept on the GPU. */
  maps: DecodedMaps;
}

/** Map handles a decoder hands over; the engine bundles them into `DetectionResult.maps`. */
export interface DecodedMaps {
  heatmap?: MapHandle<tf.Rank.R3>;
  ltrb?: MapHandle<tf.Rank.R3>;
  levels?: LevelMaps[];
}

/** A model output as it lies in main memory on the CPU backends, read in place (no copy). */
export interface HostOutput {
  /** Row-major values; valid only until the next tfjs call (WASM memory can move when it grows). */
  values: Float32Array;
  shape: readonly number[];
}

/**
 * A decode for the CPU backends (WASM, CPU), where the model's outputs already lie in main memory:
 * `rows` computes in plain JS, from the outputs read in place, the rows `decode` computes with tfjs ops
 * (one scan instead of several full-size ops and a copy); `maps` makes the overlay handles `decode`
 * returns. Same rows, same order (tests hold both to it).
 */
export interface HostDecode {
  /** Out: rows as `DecodedFrame.rows`, flat ([M · ROW_WIDTH]), sorted by score. Must not call tfjs. */
  rows(outputs: readonly HostOutput[], options: DecodeOptions): Float32Array;
  /** The maps `decode` would return, from the raw outputs (not disposed; the caller owns the handles). */
  maps(outputs: readonly tf.Tensor[], options: DecodeOptions): DecodedMaps;
}

export interface DecodeOptions {
  /** At most this many rows (the decoder may return fewer). */
  maxDetections: number;
  /**
   * The caller drops rows scoring below this, so a decoder may leave them out (a hint: `HostDecode`
   * skips them during its scan; the tfjs decoders return fixed-size tensors and ignore it).
   */
  scoreThreshold?: number;
  /** The input the outputs come from, when it is not the descriptor's square (`rectInput`). */
  inputSize?: { width: number; height: number };
}

/**
 * What a head's regression map holds at each cell (`LevelMaps.regression` [H, W, R]), declared by the
 * model so that overlays explain the values without guessing from R (models/regression.ts reads them):
 * - `ltrb`: R = 4 distances from the cell's prior point to the box's left, top, right and bottom edges,
 *   in model-input pixels (CenterNet / TTFNet);
 * - `distribution`: R = 4 × `bins` logits, per side a discrete distribution over 0 … bins − 1 cells whose
 *   expectation (softmax, then Σ b · p_b) times the stride is the distance (GFL: NanoDet; DFL: YOLOv8);
 * - `anchor-offsets`: R = 4 × anchors, anchor-major (σ(tx), σ(ty), tw, th): the box centre at
 *   (x + σ(tx), y + σ(ty)) cells, its size e^tw · anchor width by e^th · anchor height (YOLOv2), with
 *   `anchors` the anchor sizes (width, height) in cells.
 */
export type RegressionSpec =
  | { kind: 'ltrb' }
  | { kind: 'distribution'; bins: number }
  | { kind: 'anchor-offsets'; anchors: readonly (readonly [number, number])[] };

export interface ModelDescriptor {
  /** Registry id, e.g. `centernet`. */
  id: string;
  title: string;
  /** Graph file, relative to the model base URL. */
  graphFile: string;
  input: InputSpec;
  /** Graph nodes `execute()` must return, in the order the decoder takes them. */
  outputs: readonly string[];
  /** The output grid(s), in the order of the rows' `level` column. */
  levels: readonly LevelSpec[];
  /** What the regression maps the decoder returns hold (absent: the maps carry no regression). */
  regression?: RegressionSpec;
  /**
   * Custom loading (a network built in code from a weights manifest). Absent: `graphFile` is a
   * tfjs graph model and `outputs` are executed by name.
   */
  load?(context: LoadContext): Promise<RunnableModel>;
  /**
   * Custom preprocessing. In: the frame [H, W, 3] RGB 0..255. Out: the model input and the transform
   * that maps input pixels back to the frame. Absent: centred letterbox with `input.padValue`, then
   * `input.normalize`.
   */
  preprocess?(frame: tf.Tensor3D): { input: tf.Tensor; letterbox: LetterboxTransform };
  /**
   * The same model at another square input size (models whose graph accepts any multiple of its
   * largest stride). Absent: the input size is fixed. Throws `LoupeError('bad-option')` for a bad size.
   */
  withInputSize?(size: number): ModelDescriptor;
  labels: readonly string[];
  /** Largest `maxDetections` the decoder supports. */
  maxDetectionsLimit: number;
  defaults: { scoreThreshold: number; maxDetections: number; nmsIouThreshold: number | null };
  /**
   * Class-aware greedy NMS that belongs to the model's reference decode. When set, `decode` returns its
   * candidates (sorted, pre-NMS, as many as it likes) and the engine suppresses them: on GPU backends
   * with an M×M mask on the GPU before reading back the best `maxDetections`; on CPU backends (WASM,
   * CPU), where the rows are in main memory anyway, in JS after one read. Both in model-input space.
   * `DetectorOptions.nmsIouThreshold` overrides the IoU.
   */
  nms?: { iouThreshold: number };
  /** Decodes `execute()`'s outputs (same order as `outputs`). Must not dispose its inputs. */
  decode(outputs: readonly tf.Tensor[], options: DecodeOptions): DecodedFrame;
  /** The same decode in JS for the CPU backends (see `HostDecode`); absent: `decode` everywhere. */
  hostDecode?: HostDecode;
  /**
   * Rectangular inputs: the graph is fully convolutional except for upsampling sizes that its converter
   * froze for the square input (`sizeConstants`: int32 [h, w] constants of ResizeBilinear nodes). With
   * this and `DetectorOptions.rectInput`, a frame is letterboxed into the smallest input of `multiple`-sized steps that holds it (a 4:3
   * frame into 512 × 384 instead of 512 × 512: a quarter fewer pixels to compute) and the engine sets
   * those constants for each input size. The decoder gets the input size in `DecodeOptions.inputSize`.
   */
  rectInput?: { multiple: number; sizeConstants: readonly string[] };
}
