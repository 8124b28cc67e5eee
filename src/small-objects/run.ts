/**
 * The small-object mode's frame: the whole-frame pass, then tiles of the image pyramid, all from the one
 * frame tensor on the backend, with one readback of every pass's rows at the end.
 *
 * 1. whole frame: the model's own preprocessing, execute, decode (the same input as single-pass mode);
 * 2. budget (when the plan has more tiles than it allows): rank the tiles by the unresolved evidence of
 *    pass 1 and pick the best with `topk`, on the backend (`budget.ts`);
 * 3. crops: `tf.image.cropAndResize` of the frame (one pixel of repeated edge around it) to the model's
 *    input size, every tile at once, with half-pixel centres as the letterbox resamples (`cropBoxes`);
 *    outside the frame the model's pad value. Then the model's `normalize` (NCHW for NanoDet) or, for a
 *    model with its own preprocessing, that preprocessing on each model-sized crop (where it is only the
 *    normalisation);
 * 4. the tiles go through the model in one batched call when the graph takes a batch (checked once per
 *    detector against a single call, see `executeTiles`), else back to back, with no readback between;
 * 5. each pass's rows: the model's own NMS on GPU backends, boxes mapped from that pass's input px to
 *    source px (`source = a·input + b` per axis, exact), a column for the pass index;
 * 6. one async `data()` of all rows; then in JS: the model's NMS on CPU backends, the engine's
 *    `nmsIouThreshold` per pass, and fusion across passes (`fuse.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { levelsFor } from '../runtime/rect-input.js';
import { asLoupeError } from '../errors.js';
import { bundleMaps } from '../maps.js';
import { ROW_WIDTH, type ModelDescriptor, type RunnableModel } from '../model-descriptor.js';
import { suppressRowsOnBackend } from '../postprocess/gpu-nms.js';
import { suppressRows } from '../postprocess/nms.js';
import { frameToTensor, type Frame } from '../preprocess/frame.js';
import { decodeOutputs, detectionOf, executeModel, modelNmsIou, preprocessFrame, rowAt } from '../pipeline.js';
import { isGpuBackend } from '../runtime/backend-kind.js';
import type { BackendName, DetectCallOptions, Detection, DetectionMaps, DetectionResult, LetterboxTransform } from '../types.js';
import { pickTiles, tileEvidence } from './budget.js';
import { fuse, type Candidate } from './fuse.js';
import { cropBoxes, planTiles, type PlannedTile } from './plan.js';
import type { SmallObjectsOptions, TileReport } from './types.js';

/** Columns of a pass row after mapping: the decoder's 8, then the pass index. */
export const PASS_ROW_WIDTH = ROW_WIDTH + 1;

/** Whether this detector's model takes a batch of tiles in one call (found out on first use). */
export interface BatchState {
  batch: 'unknown' | 'yes' | 'no';
}

/** What the mode needs from the detector. */
export interface SmallObjectsContext {
  descriptor: ModelDescriptor;
  runnable: RunnableModel;
  backend: BackendName;
  state: BatchState;
  /** `rectInput` models with rectangular inputs on: the step of the whole-frame input's sizes; else undefined. */
  rectMultiple: number | undefined;
}

export interface SmallObjectsRunOptions {
  scoreThreshold: number;
  maxDetections: number;
  nmsIouThreshold: number | null;
}

/** `source = a·input + b` per axis: `[ax, bx, ay, by]`. */
type Affine = [number, number, number, number];

/** The tensors of a list that exist and are not yet disposed. */
const present = (tensors: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => tensors.filter((t): t is tf.Tensor => t !== undefined && !t.isDisposed);

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The parts of a tfjs graph model's executor that `allowAnyBatch` rewrites (not public tfjs API). */
/** The affine of a letterbox's inverse (input px → source px). */
function letterboxAffine(letterbox: LetterboxTransform): Affine {
  return [1 / letterbox.scaleX, -letterbox.padX / letterbox.scaleX, 1 / letterbox.scaleY, -letterbox.padY / letterbox.scaleY];
}

/** A tile's affine: its own preprocessing's inverse (identity for a model-sized crop), then tile → source. */
function tileAffine(tile: PlannedTile, inner: LetterboxTransform | undefined): Affine {
  const sx = inner ? inner.scaleX : 1;
  const sy = inner ? inner.scaleY : 1;
  const px = inner ? inner.padX : 0;
  const py = inner ? inner.padY : 0;
  const ax = 1 / (sx * tile.gain);
  const ay = 1 / (sy * tile.gain);
  return [ax, tile.rect.x - px * ax, ay, tile.rect.y - py * ay];
}

/** The affine as a letterbox (for `cellOf`'s prior points): `input = source·scale + pad`. */
function affineTransform(affine: Affine, frame: { width: number; height: number }, input: { width: number; height: number }): LetterboxTransform {
  const [ax, bx, ay, by] = affine;
  return {
    sourceWidth: frame.width,
    sourceHeight: frame.height,
    inputWidth: input.width,
    inputHeight: input.height,
    contentWidth: input.width,
    contentHeight: input.height,
    scaleX: 1 / ax,
    scaleY: 1 / ay,
    padX: -bx / ax,
    padY: -by / ay,
  };
}

/**
 * One pass's decoded rows [M, 8] (input px) → [K, 9] source px + pass index, on the backend. `affine` is
 * [1, 4] (ax, bx, ay, by), `pass` [1] the pass index. Takes ownership of `rows`.
 */
function passRows(rows: tf.Tensor2D, affine: tf.Tensor2D, pass: tf.Tensor1D, frame: { width: number; height: number }, gpuNms: { iouThreshold: number; maxRows: number } | null): tf.Tensor2D {
  const out = tf.tidy(() => {
    const final = gpuNms ? suppressRowsOnBackend(rows, gpuNms.iouThreshold, gpuNms.maxRows) : rows;
    const count = final.shape[0];
    const [boxes, rest] = tf.split(final, [4, ROW_WIDTH - 4], 1) as [tf.Tensor2D, tf.Tensor2D];
    const [ax, bx, ay, by] = tf.unstack(tf.reshape(affine, [4])) as [tf.Scalar, tf.Scalar, tf.Scalar, tf.Scalar];
    const scale = tf.stack([ax, ay, ax, ay]);
    const offset = tf.stack([bx, by, bx, by]);
    const limit = tf.tensor1d([frame.width, frame.height, frame.width, frame.height]);
    const mapped = tf.minimum(tf.maximum(tf.add(tf.mul(boxes, scale), offset), 0), limit);
    return tf.concat([mapped, rest, tf.tile(tf.reshape(pass, [1, 1]), [count, 1])], 1) as tf.Tensor2D;
  });
  rows.dispose();
  return out;
}

/** Largest |a − b| relative to the size of b, for the one-time batch check. */
async function relativeDifference(batched: readonly tf.Tensor[], single: readonly tf.Tensor[]): Promise<number> {
  const ratios = tf.tidy(() =>
    tf.stack(
      single.map((s, k) => {
        const first = tf.slice(batched[k]!, 0, 1);
        return tf.div(tf.max(tf.abs(tf.sub(first, s))), tf.add(tf.max(tf.abs(s)), 1e-6));
      }),
    ),
  );
  try {
    return Math.max(...((await ratios.data()) as Float32Array));
  } finally {
    ratios.dispose();
  }
}

/**
 * Runs the model on a batch of `count` tile inputs; returns each tile's outputs as [1, …] tensors (the
 * caller owns them). Batched when the model takes it: tried on the first call, and accepted only when
 * every output has the batch as its first dimension and tile 0's outputs equal a single call's (to 1e-4
 * of their magnitude). A graph whose reshapes fix the batch at 1 (NanoDet) fails that check and runs
 * back to back. Does not dispose `input`.
 */
export async function executeTiles(context: Pick<SmallObjectsContext, 'runnable' | 'state'> & { model: string }, input: tf.Tensor, count: number, allowBatch = true): Promise<tf.Tensor[][]> {
  const { runnable, state, model } = context;
  const tileInput = (i: number): tf.Tensor => tf.slice(input, i, 1);
  if (allowBatch && count > 1 && state.batch !== 'no') {
    let batched: tf.Tensor[] | undefined;
    try {
      batched = await runnable.execute(input);
    } catch {
      state.batch = 'no';
    }
    if (batched) {
      let ok = batched.every((t) => t.shape[0] === count);
      if (ok && state.batch === 'unknown') {
        const first = tileInput(0);
        const single = await executeModel(runnable, first, model);
        try {
          ok = single.length === batched.length && (await relativeDifference(batched, single)) <= 1e-4;
        } finally {
          tf.dispose(single);
        }
      }
      state.batch = ok ? 'yes' : 'no';
      if (ok) {
        const perTile = batched.map((t) => tf.split(t, count, 0));
        tf.dispose(batched);
        return Array.from({ length: count }, (_, i) => perTile.map((parts) => parts[i]!));
      }
      tf.dispose(batched);
    }
  }
  const outputs: tf.Tensor[][] = [];
  try {
    for (let i = 0; i < count; i++) {
      // executeModel disposes what it runs: a clone (shares the data) when the one tile is the caller's input.
      outputs.push(await executeModel(runnable, count === 1 ? tf.clone(input) : tileInput(i), model));
    }
  } catch (error) {
    tf.dispose(outputs.flat());
    throw error;
  }
  return outputs;
}

/**
 * The tiles' model input. In: the frame [H, W, 3], the planned tiles, `selected` [n] int32 indices into
 * them. Out: the input batch (the descriptor's layout and value range) and, for a model with its own
 * preprocessing, the transform that preprocessing reported for a model-sized crop (the identity).
 */
export function tileInputs(descriptor: ModelDescriptor, frame: tf.Tensor3D, tiles: readonly PlannedTile[], selected: tf.Tensor1D): { input: tf.Tensor; inner?: LetterboxTransform } {
  const { width, height, padValue, pixels } = descriptor.input;
  const [frameHeight, frameWidth] = frame.shape;
  const count = selected.shape[0];
  if (pixels && descriptor.input.layout === 'nchw' && !descriptor.preprocess) return { input: planarTileInputs(descriptor, pixels, frame, tiles, selected) };
  const crops = tf.tidy(() => {
    const asFloat = frame.dtype === 'float32' ? frame : tf.cast(frame, 'float32');
    // One pixel of repeated edge, so that the outermost half pixel is interpolated, not padded.
    const padded = tf.expandDims(tf.mirrorPad(asFloat, [[1, 1], [1, 1], [0, 0]], 'symmetric'), 0) as tf.Tensor4D;
    const all = tf.tensor2d(cropBoxes(tiles, frameWidth, frameHeight, width, height, 1), [tiles.length, 4]);
    const boxes = tf.gather(all, selected) as tf.Tensor2D;
    return tf.image.cropAndResize(padded, boxes, tf.zeros([count], 'int32') as tf.Tensor1D, [height, width], 'bilinear', padValue);
  });
  if (descriptor.preprocess) {
    const own = descriptor.preprocess;
    let inner: LetterboxTransform | undefined;
    const input = tf.tidy(() => {
      const each = tf.unstack(crops).map((crop) => {
        const prepared = own(crop as tf.Tensor3D);
        inner = prepared.letterbox;
        return prepared.input;
      });
      return tf.concat(each, 0);
    });
    crops.dispose();
    return { input, inner };
  }
  if (!descriptor.input.normalize) return { input: crops };
  const normalize = descriptor.input.normalize;
  const input = tf.tidy(() => normalize(crops));
  crops.dispose();
  return { input };
}

/**
 * `tileInputs` for an NCHW model whose normalisation is a per-channel affine (`input.pixels`): the crops
 * are cut from the frame's channel planes, so they come out NCHW and in the graph's channel order without
 * a transpose or a reverse of the model-sized batch. The frame as [3, H, W, 1] (channels as the batch),
 * tile k's box repeated for its 3 channels with plane indices in the graph's order, then one multiply-add
 * per channel. The same values as crops → `normalize` (to float rounding), at a third of the time on WASM
 * (6 × 416²: 58 ms instead of 192; docs/small-objects.md).
 */
function planarTileInputs(descriptor: ModelDescriptor, pixels: NonNullable<ModelDescriptor['input']['pixels']>, frame: tf.Tensor3D, tiles: readonly PlannedTile[], selected: tf.Tensor1D): tf.Tensor {
  const { width, height, padValue } = descriptor.input;
  const [frameHeight, frameWidth] = frame.shape;
  const count = selected.shape[0];
  return tf.tidy(() => {
    const asFloat = frame.dtype === 'float32' ? frame : tf.cast(frame, 'float32');
    const padded = tf.mirrorPad(asFloat, [[1, 1], [1, 1], [0, 0]], 'symmetric');
    const planes = tf.expandDims(tf.transpose(padded, [2, 0, 1]), 3) as tf.Tensor4D;
    const all = tf.tensor2d(cropBoxes(tiles, frameWidth, frameHeight, width, height, 1), [tiles.length, 4]);
    const boxes = tf.reshape(tf.tile(tf.expandDims(tf.gather(all, selected), 1), [1, 3, 1]), [count * 3, 4]) as tf.Tensor2D;
    const order = pixels.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
    const planeIndex = tf.tile(tf.tensor1d(order, 'int32'), [count]) as tf.Tensor1D;
    const crops = tf.reshape(tf.image.cropAndResize(planes, boxes, planeIndex, [height, width], 'bilinear', padValue), [count, 3, height, width]);
    const scale = tf.tensor4d(pixels.std.map((s) => 1 / s), [1, 3, 1, 1]);
    const offset = tf.tensor4d(pixels.mean.map((m, c) => -m / pixels.std[c]!), [1, 3, 1, 1]);
    return tf.add(tf.mul(crops, scale), offset);
  });
}

/**
 * JS part of a pass, on its rows as single-pass mode treats them: the model's own NMS on CPU backends,
 * or, for a model without one, the engine's `nmsIouThreshold`.
 */
function suppressPass(rows: Float32Array, descriptor: ModelDescriptor, cpuNms: boolean, run: SmallObjectsRunOptions): Float32Array {
  const own = modelNmsIou(descriptor, run.nmsIouThreshold);
  if (own !== null) return cpuNms ? suppressRows(rows, PASS_ROW_WIDTH, own, run.scoreThreshold, run.maxDetections) : rows;
  return run.nmsIouThreshold !== null ? suppressRows(rows, PASS_ROW_WIDTH, run.nmsIouThreshold, run.scoreThreshold, run.maxDetections) : rows;
}

/** Rows of all passes (grouped by pass, each sorted by score) → candidates, after per-pass NMS. */
function candidatesOf(values: Float32Array, descriptor: ModelDescriptor, cpuNms: boolean, run: SmallObjectsRunOptions): Candidate[] {
  const candidates: Candidate[] = [];
  let start = 0;
  const rowCount = Math.floor(values.length / PASS_ROW_WIDTH);
  while (start < rowCount) {
    const pass = values[start * PASS_ROW_WIDTH + ROW_WIDTH]!;
    let end = start + 1;
    while (end < rowCount && values[end * PASS_ROW_WIDTH + ROW_WIDTH] === pass) end++;
    const kept = suppressPass(values.subarray(start * PASS_ROW_WIDTH, end * PASS_ROW_WIDTH), descriptor, cpuNms, run);
    for (let i = 0; i + PASS_ROW_WIDTH <= kept.length; i += PASS_ROW_WIDTH) {
      const box = rowAt(kept, i);
      if (box.score >= run.scoreThreshold) candidates.push({ ...box, tile: Math.round(pass) });
    }
    start = end;
  }
  return candidates;
}

/** `detect()` in small-object mode, on a frame past the input gate. Owns everything it creates; the caller's tensor source is not disposed. */
export async function detectSmallObjects(
  context: SmallObjectsContext,
  source: Frame,
  run: SmallObjectsRunOptions,
  options: SmallObjectsOptions,
  call: DetectCallOptions = {},
): Promise<DetectionResult> {
  const { descriptor, runnable } = context;
  const model = descriptor.id;
  const start = now();
  const frame = await frameToTensor(source);
  const frameSize = { width: frame.width, height: frame.height };
  const inputSize = { width: descriptor.input.width, height: descriptor.input.height };
  const tiles = planTiles(frame.width, frame.height, inputSize.width, inputSize.height, options.scales, options.overlap);
  const ranked = tiles.slice(1);
  const tileCount = options.budget === null ? ranked.length : Math.min(ranked.length, options.budget - 1);
  const onGpu = isGpuBackend(context.backend);
  // 'auto': GPU backends only. On WASM a tile's model time does not depend on the batch (docs/small-objects.md).
  const batch = options.batch === 'auto' ? onGpu : options.batch;
  const ownNms = modelNmsIou(descriptor, run.nmsIouThreshold);
  const gpuNms = onGpu && ownNms !== null ? { iouThreshold: ownNms, maxRows: run.maxDetections } : null;
  const parts: tf.Tensor2D[] = [];
  let maps: DetectionMaps | undefined;
  let selected: tf.Tensor1D | undefined;
  let evidence: tf.Tensor1D | undefined;
  let affines: Affine[] = [];
  let letterbox: LetterboxTransform;
  let executions = 0;
  let batched = false;
  let preprocessMs = 0;
  let inferMs = 0;
  try {
    // 1. The whole frame, as in single-pass mode.
    let mark = now();
    const whole = preprocessFrame(descriptor, frame.tensor, context.rectMultiple);
    letterbox = whole.letterbox;
    preprocessMs += now() - mark;
    mark = now();
    const outputs = await executeModel(runnable, whole.input, model);
    executions += 1;
    inferMs += now() - mark;
    const decoded = decodeOutputs(descriptor, outputs, run.maxDetections, { width: letterbox.inputWidth, height: letterbox.inputHeight });
    maps = bundleMaps(decoded.maps);
    const wholeAffine = letterboxAffine(letterbox);
    affines = [wholeAffine];

    // 2. Which tiles run: all, or the budget's pick.
    if (tileCount > 0 && tileCount < ranked.length) {
      evidence = tileEvidence(maps.heatmap, decoded.rows, letterbox, ranked);
      selected = pickTiles(evidence, tileCount);
    } else {
      selected = tf.range(0, tileCount, 1, 'int32') as tf.Tensor1D;
    }
    const wholeRows = tf.tidy(() => passRows(decoded.rows, tf.tensor2d([wholeAffine]), tf.tensor1d([0]), frameSize, gpuNms));
    parts.push(wholeRows);

    if (tileCount > 0) {
      // 3. Crops of the selected tiles, 4. the model on them.
      mark = now();
      const { input, inner } = tileInputs(descriptor, frame.tensor, ranked, selected);
      preprocessMs += now() - mark;
      mark = now();
      let perTile: tf.Tensor[][];
      try {
        perTile = await executeTiles({ ...context, model }, input, tileCount, batch);
      } finally {
        input.dispose();
      }
      inferMs += now() - mark;
      batched = batch && tileCount > 1 && context.state.batch === 'yes';
      // A pass is an execution, batched or not: the budget and the eval count passes (the compute).
      executions += tileCount;
      // 5. Decode and map each tile; its affine and pass index gathered by the selection, on the backend.
      affines = [wholeAffine, ...ranked.map((tile) => tileAffine(tile, inner))];
      const gathered = tf.tidy(() => tf.gather(tf.tensor2d(affines.slice(1)), selected!) as tf.Tensor2D);
      const passIndex = tf.tidy(() => tf.add(tf.cast(selected!, 'float32'), 1) as tf.Tensor1D);
      try {
        perTile.forEach((tileOutputs, i) => {
          const tileDecoded = decodeOutputs(descriptor, tileOutputs, run.maxDetections);
          bundleMaps(tileDecoded.maps).dispose();
          const rows = tileDecoded.rows;
          parts.push(tf.tidy(() => passRows(rows, tf.slice(gathered, [i, 0], [1, 4]), tf.slice(passIndex, i, 1), frameSize, gpuNms)));
        });
      } finally {
        tf.dispose([gathered, passIndex]);
        for (const rest of perTile.slice(parts.length - 1)) tf.dispose(rest);
      }
    }
  } catch (error) {
    maps?.dispose();
    tf.dispose(present([...parts, selected, evidence]));
    throw error;
  } finally {
    if (frame.owned) frame.tensor.dispose();
  }

  // 6. One readback of every pass's rows (and the few numbers of the selection), then fusion in JS.
  const inferred = now();
  const all = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
  let values: Float32Array;
  let picked: Int32Array;
  let evidenceValues: Float32Array | undefined;
  try {
    [values, picked, evidenceValues] = await Promise.all([
      all.data() as Promise<Float32Array>,
      selected.data() as Promise<Int32Array>,
      evidence?.data() as Promise<Float32Array> | undefined,
    ]);
  } catch (error) {
    maps.dispose();
    throw asLoupeError(error, 'backend-failed', 'Reading detections back failed');
  } finally {
    tf.dispose(present([all, ...parts, selected, evidence]));
  }
  const executed = [0, ...Array.from(picked, (i) => i + 1)];
  const candidates = candidatesOf(values, descriptor, !onGpu, run);
  const fused = fuse(candidates, tiles, executed, { ...options, scoreThreshold: run.scoreThreshold, maxDetections: run.maxDetections });
  const transforms = affines.map((affine) => affineTransform(affine, frameSize, inputSize));
  const detections: Detection[] = fused.map((box) => {
    const tile = tiles[box.tile]!;
    const detection = detectionOf(box, descriptor, transforms[box.tile] ?? letterbox);
    return { ...detection, tile: { scale: tile.scale, index: tile.index, rect: { ...tile.rect }, merged: box.merged } };
  });
  const end = now();

  const ran = new Set(executed);
  const reports: TileReport[] = tiles.map((tile) => {
    const report: TileReport = { index: tile.index, scale: tile.scale, scaleIndex: tile.scaleIndex, rect: { ...tile.rect }, executed: ran.has(tile.index) };
    if (evidenceValues && tile.index > 0) report.evidence = evidenceValues[tile.index - 1] ?? 0;
    return report;
  });
  const keepMaps = call.maps === true;
  const bundle = maps;
  if (!keepMaps) bundle.dispose();
  const result: DetectionResult = {
    detections,
    timings: { preprocess: preprocessMs, infer: inferMs, decode: end - inferred + (inferred - start - preprocessMs - inferMs), total: end - start },
    backend: context.backend,
    model,
    letterbox,
    levels: levelsFor(descriptor, letterbox),
    executions,
    smallObjects: { options: { ...options, scales: [...options.scales] }, tiles: reports, batched },
    dispose: () => bundle.dispose(),
  };
  if (keepMaps) result.maps = bundle;
  return result;
}
