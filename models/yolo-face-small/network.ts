/**
 * The yolo-face-small network in tfjs, layer for layer the PyTorch model of `training/yolo_face_small/
 * model.py` (which trained the weights): the weights file is a tfjs `model.json` with a `weightsManifest`
 * and no topology, read by the engine's checked loader (`LoadContext.loadArtifacts`; float16 weights); the layers are built here.
 *
 * Backbone = the Tiny Face Detector's conv0..conv5 (conv0 SAME here), top-down FPN with 64 channels,
 * YOLOv8-style decoupled head shared by the levels, DFL (16 bins) decoded in the graph. Two generations,
 * told apart by their strides (the weights must match: `weightsFromMap`):
 * - generation 1 (v1): strides 8, 16, 32;
 * - generation 2: strides 4, 8, 16, 32 — a P2 level from conv2's stride-4 output (before its pool):
 *   `lat2` 1×1 + P3 upsampled ×2, then the separable `fuse2`, read by the same head.
 * Output: Ultralytics' layout A, [1, 5, N] = cx, cy, w, h (input px), face probability; N = Σ (S/s)²,
 * levels concatenated finest first, each row-major — what `models/ultralytics/decoder.ts` reads.
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../../src/errors.js';
import type { LoadContext, RunnableModel } from '../../src/model-descriptor.js';
import { buildFromWeights, decodeWeights } from '../../src/runtime/load-graph.js';

/** Strides of generation 1 (v1) and generation 2 (with the stride-4 P2 level). */
export const YOLO_FACE_SMALL_V1_STRIDES: readonly number[] = [8, 16, 32];
export const YOLO_FACE_SMALL_V2_STRIDES: readonly number[] = [4, 8, 16, 32];
/** The strides of the weights shipped as `yolo-face-small` (v1 until generation 2 beats it on wider-dev). */
export const YOLO_FACE_SMALL_STRIDES = YOLO_FACE_SMALL_V1_STRIDES;
/** DFL bins per side. */
export const REG_MAX = 16;
/** face-api's mean RGB (0..255), subtracted from the 0..1 input as mean/255. */
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const LEAKY_ALPHA = 0.1;
const BACKBONE = [16, 32, 64, 128, 256, 512] as const;
const WIDTH = 64;

/** Separable blocks (depthwise 3×3 + pointwise 1×1 + bias + leaky): name → [in, out] channels. */
const SEPARABLE: readonly (readonly [string, number, number])[] = [
  ['conv1', BACKBONE[0], BACKBONE[1]],
  ['conv2', BACKBONE[1], BACKBONE[2]],
  ['conv3', BACKBONE[2], BACKBONE[3]],
  ['conv4', BACKBONE[3], BACKBONE[4]],
  ['conv5', BACKBONE[4], BACKBONE[5]],
  ['fuse4', WIDTH, WIDTH],
  ['fuse3', WIDTH, WIDTH],
  ['box1', WIDTH, WIDTH],
  ['box2', WIDTH, WIDTH],
  ['cls1', WIDTH, WIDTH],
  ['cls2', WIDTH, WIDTH],
];
/** Plain convolutions with bias: name → [kernel, in, out]. */
const CONVS: readonly (readonly [string, number, number, number])[] = [
  ['conv0', 3, 3, BACKBONE[0]],
  ['lat3', 1, BACKBONE[3], WIDTH],
  ['lat4', 1, BACKBONE[4], WIDTH],
  ['lat5', 1, BACKBONE[5], WIDTH],
  ['box_out', 1, WIDTH, 4 * REG_MAX],
  ['cls_out', 1, WIDTH, 1],
];

/** The P2 level's layers (generation 2 only). */
const P2_CONVS: readonly (readonly [string, number, number, number])[] = [['lat2', 1, BACKBONE[2], WIDTH]];
const P2_SEPARABLE: readonly (readonly [string, number, number])[] = [['fuse2', WIDTH, WIDTH]];

const hasP2 = (strides: readonly number[]): boolean => strides[0] === 4;

/** Every tensor of the weights file with its shape (tfjs layouts `[kh, kw, in, out]`, `[kh, kw, in, 1]`). */
export function expectedShapes(strides: readonly number[] = YOLO_FACE_SMALL_STRIDES): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const p2 = hasP2(strides);
  for (const [name, k, cin, cout] of p2 ? [...CONVS, ...P2_CONVS] : CONVS) {
    shapes.set(`${name}/filter`, [k, k, cin, cout]);
    shapes.set(`${name}/bias`, [cout]);
  }
  for (const [name, cin, cout] of p2 ? [...SEPARABLE, ...P2_SEPARABLE] : SEPARABLE) {
    shapes.set(`${name}.depthwise/filter`, [3, 3, cin, 1]);
    shapes.set(`${name}.pointwise/filter`, [1, 1, cin, cout]);
    shapes.set(`${name}.pointwise/bias`, [cout]);
  }
  return shapes;
}

/** The weight tensors by name, and the strides they were trained for. */
export interface YoloFaceSmallWeights {
  readonly strides: readonly number[];
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
}

/**
 * Checks a decoded weight map against the architecture of `strides`. Throws `model-mismatch` (disposing
 * the map) when it differs — e.g. v1's weights (no `lat2`) given to generation 2.
 */
export function weightsFromMap(map: tf.NamedTensorMap, strides: readonly number[] = YOLO_FACE_SMALL_STRIDES): YoloFaceSmallWeights {
  const shapes = expectedShapes(strides);
  const problems: string[] = [];
  for (const [name, shape] of shapes) {
    const tensor = map[name];
    if (!tensor) problems.push(`${name} is missing`);
    else if (tensor.shape.join(',') !== shape.join(',')) problems.push(`${name} is [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  if (problems.length > 0) {
    tf.dispose(Object.values(map));
    throw new LoupeError(
      'model-mismatch',
      `Not the weights of yolo-face-small with strides ${strides.join('/')}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}.`,
    );
  }
  tf.dispose(Object.entries(map).filter(([name]) => !shapes.has(name)).map(([, t]) => t));
  return { strides, tensors: new Map([...shapes.keys()].map((name) => [name, map[name]!])) };
}

type Tensors = ReadonlyMap<string, tf.Tensor>;

function conv(w: Tensors, name: string, x: tf.Tensor4D, leaky: boolean): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: w.get(`${name}/filter`) as tf.Tensor4D,
    strides: 1,
    pad: 'same',
    bias: w.get(`${name}/bias`),
    activation: leaky ? 'leakyrelu' : 'linear',
    leakyreluAlpha: LEAKY_ALPHA,
  });
}

function separable(w: Tensors, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const depthwise = tf.depthwiseConv2d(x, w.get(`${name}.depthwise/filter`) as tf.Tensor4D, 1, 'same');
  return tf.fused.conv2d({
    x: depthwise,
    filter: w.get(`${name}.pointwise/filter`) as tf.Tensor4D,
    strides: 1,
    pad: 'valid',
    bias: w.get(`${name}.pointwise/bias`),
    activation: 'leakyrelu',
    leakyreluAlpha: LEAKY_ALPHA,
  });
}

const pool = (x: tf.Tensor4D): tf.Tensor4D => tf.maxPool(x, 2, 2, 'valid');
/** Nearest-neighbour ×2 (PyTorch `interpolate(scale_factor=2, mode='nearest')`: source floor(i / 2)). */
const up2 = (x: tf.Tensor4D): tf.Tensor4D => tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2], false, false);

/** Raw head outputs per level: DFL logits [1, h, w, 4·16] (side-major: side·16 + bin) and the face logit [1, h, w, 1]. */
export interface LevelOutputs {
  box: tf.Tensor4D;
  cls: tf.Tensor4D;
}

/**
 * In: [1, S, S, 3] RGB 0..1 (S a multiple of 32). Out: per level, finest first (strides 8, 16, 32, or
 * 4, 8, 16, 32 for generation 2), the raw head outputs; caller owns them.
 */
export function runHeads(weights: YoloFaceSmallWeights, input: tf.Tensor4D): LevelOutputs[] {
  const w = weights.tensors;
  return tf.tidy(() => {
    let x = tf.sub(input, tf.tensor1d(MEAN_RGB.map((m) => m / 255))) as tf.Tensor4D;
    x = pool(conv(w, 'conv0', x, true));
    x = pool(separable(w, 'conv1', x));
    const c2 = separable(w, 'conv2', x); // [1, S/4, S/4, 64]
    const c3 = separable(w, 'conv3', pool(c2));
    const c4 = separable(w, 'conv4', pool(c3));
    const c5 = separable(w, 'conv5', pool(c4));
    const p5 = conv(w, 'lat5', c5, true);
    const p4 = separable(w, 'fuse4', tf.add(conv(w, 'lat4', c4, true), up2(p5)));
    const p3 = separable(w, 'fuse3', tf.add(conv(w, 'lat3', c3, true), up2(p4)));
    const pyramid = hasP2(weights.strides) ? [separable(w, 'fuse2', tf.add(conv(w, 'lat2', c2, true), up2(p3))), p3, p4, p5] : [p3, p4, p5];
    return pyramid.map((p) => ({
      box: conv(w, 'box_out', separable(w, 'box2', separable(w, 'box1', p)), false),
      cls: conv(w, 'cls_out', separable(w, 'cls2', separable(w, 'cls1', p)), false),
    }));
  });
}

/** Cell centres (x + ½, y + ½)·stride [N, 2] and strides [N, 1] of an S×S input, levels concatenated row-major. */
function anchorTable(size: number, levelStrides: readonly number[]): { points: Float32Array; strides: Float32Array } {
  const count = levelStrides.reduce((sum, s) => sum + (size / s) ** 2, 0);
  const points = new Float32Array(count * 2);
  const strides = new Float32Array(count);
  let n = 0;
  for (const s of levelStrides) {
    const cells = size / s;
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++, n++) {
        points[2 * n] = (x + 0.5) * s;
        points[2 * n + 1] = (y + 0.5) * s;
        strides[n] = s;
      }
    }
  }
  return { points, strides };
}

/** The anchor tensors of one input size, kept for the model's life. */
interface Anchors {
  points: tf.Tensor2D;
  strides: tf.Tensor2D;
}

/**
 * DFL decode to layout A. In: the head outputs and the input's anchors. Out: [1, 5, N] — cx, cy, w, h in
 * input px (softmax over the 16 bins, expectation, box = centre ∓ ltrb·stride) and σ(face logit).
 */
export function decodeHeads(levels: readonly LevelOutputs[], anchors: Anchors): tf.Tensor3D {
  return tf.tidy(() => {
    const box = tf.concat(levels.map((l) => tf.reshape(l.box, [-1, 4, REG_MAX])));
    const cls = tf.concat(levels.map((l) => tf.reshape(l.cls, [-1, 1])));
    const bins = tf.range(0, REG_MAX, 1, 'float32');
    const ltrb = tf.mul(tf.sum(tf.mul(tf.softmax(box), bins), 2), anchors.strides); // [N, 4] px
    const [lt, rb] = tf.split(ltrb, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const topLeft = tf.sub(anchors.points, lt);
    const bottomRight = tf.add(anchors.points, rb);
    const centre = tf.div(tf.add(topLeft, bottomRight), 2);
    const size = tf.sub(bottomRight, topLeft);
    const rows = tf.concat([centre, size, tf.sigmoid(cls)], 1); // [N, 5]
    return tf.expandDims(tf.transpose(rows), 0) as tf.Tensor3D;
  });
}

/** A network over given weights: `execute` gives [layout-A output]; anchors are cached per input size. */
export function yoloFaceSmallNetwork(weights: YoloFaceSmallWeights): RunnableModel {
  const anchors = new Map<number, Anchors>();
  let disposed = false;
  const anchorsFor = (size: number): Anchors => {
    let entry = anchors.get(size);
    if (!entry) {
      const table = anchorTable(size, weights.strides);
      entry = { points: tf.tensor2d(table.points, [table.strides.length, 2]), strides: tf.tensor2d(table.strides, [table.strides.length, 1]) };
      anchors.set(size, entry);
    }
    return entry;
  };
  return {
    execute(input) {
      if (disposed) throw new LoupeError('disposed', 'yolo-face-small was disposed.');
      const [, height, width] = input.shape;
      if (height !== width || height! % 32 !== 0) {
        throw new LoupeError('bad-input', `yolo-face-small takes a square input whose side is a multiple of 32; got ${height}×${width}.`);
      }
      const heads = runHeads(weights, input as tf.Tensor4D);
      try {
        return [decodeHeads(heads, anchorsFor(height!))];
      } finally {
        tf.dispose(heads.flatMap((h) => [h.box, h.cls]));
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose([...weights.tensors.values()]);
      for (const entry of anchors.values()) tf.dispose([entry.points, entry.strides]);
      anchors.clear();
    },
  };
}

/**
 * Loads the weights file at `context.url` (the engine's checked `loadArtifacts`) and builds the network
 * of `strides` (v1's by default).
 */
export async function loadYoloFaceSmall(context: LoadContext, strides: readonly number[] = YOLO_FACE_SMALL_STRIDES): Promise<RunnableModel> {
  const artifacts = await context.loadArtifacts();
  const weights = { specs: artifacts.weightSpecs ?? [], data: artifacts.weightData as ArrayBuffer[] };
  return buildFromWeights(decodeWeights(weights, context.url), (map) => yoloFaceSmallNetwork(weightsFromMap(map, strides)));
}
