/**
 * The Tiny Face Detector network (face-api.js's Tiny-YOLOv2 variant), built in code from its weights
 * manifest: face-api ships weights only, so the layers are defined here (see README.md in this folder and
 * research notes §3.1). No face-api code runs.
 *
 * conv0 3×3 VALID + bias + leaky → maxPool 2/2 SAME → [separable block → maxPool] ×5 (the last pool is
 * 2×2 stride 1 SAME) → conv8 1×1 + bias, no activation. A separable block is a 3×3 depthwise conv with
 * one pixel of zero padding on each side, a 1×1 pointwise conv, a bias and leaky(0.1).
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../../src/errors.js';
import type { LoadContext, RunnableModel } from '../../src/model-descriptor.js';
import { buildFromWeights, decodeWeights } from '../../src/runtime/load-graph.js';

/** Channel widths: conv0 → 16, then the separable blocks conv1..conv5 → 32, 64, 128, 256, 512. */
const WIDTHS = [16, 32, 64, 128, 256, 512] as const;
/** Channels of the head: 5 anchors × (tx, ty, tw, th, objectness). */
export const HEAD_CHANNELS = 25;
/** Slope of face-api's leaky ReLU. */
const LEAKY_ALPHA = 0.1;

interface SeparableBlock {
  depthwise: tf.Tensor4D;
  pointwise: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** The dequantised weights, by layer. */
export interface TinyFaceWeights {
  conv0: { filters: tf.Tensor4D; bias: tf.Tensor1D };
  blocks: SeparableBlock[];
  conv8: { filters: tf.Tensor4D; bias: tf.Tensor1D };
}

/** Every tensor the network needs, with its shape (`[kh, kw, in, out]` / `[kh, kw, in, 1]` / `[out]`). */
export function expectedShapes(): Map<string, number[]> {
  const shapes = new Map<string, number[]>([
    ['conv0/filters', [3, 3, 3, WIDTHS[0]]],
    ['conv0/bias', [WIDTHS[0]]],
  ]);
  for (let i = 1; i <= 5; i++) {
    const inC = WIDTHS[i - 1]!;
    const outC = WIDTHS[i]!;
    shapes.set(`conv${i}/depthwise_filter`, [3, 3, inC, 1]);
    shapes.set(`conv${i}/pointwise_filter`, [1, 1, inC, outC]);
    shapes.set(`conv${i}/bias`, [outC]);
  }
  shapes.set('conv8/filters', [1, 1, WIDTHS[5], HEAD_CHANNELS]);
  shapes.set('conv8/bias', [HEAD_CHANNELS]);
  return shapes;
}

/**
 * Checks a decoded weight map against the architecture and arranges it by layer.
 * Throws `model-mismatch` (and disposes the map) when a tensor is missing or has another shape.
 */
export function weightsFromMap(map: tf.NamedTensorMap): TinyFaceWeights {
  const problems: string[] = [];
  for (const [name, shape] of expectedShapes()) {
    const tensor = map[name];
    if (!tensor) problems.push(`${name} is missing`);
    else if (tensor.shape.join(',') !== shape.join(',')) problems.push(`${name} is [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  if (problems.length > 0) {
    tf.dispose(Object.values(map));
    throw new LoupeError('model-mismatch', `Not the Tiny Face Detector's weights: ${problems.join('; ')}.`);
  }
  const get = <T extends tf.Tensor>(name: string): T => map[name] as T;
  // Tensors the network does not use (none in face-api's file) are released.
  const used = new Set(expectedShapes().keys());
  tf.dispose(Object.entries(map).filter(([name]) => !used.has(name)).map(([, t]) => t));
  return {
    conv0: { filters: get('conv0/filters'), bias: get('conv0/bias') },
    blocks: [1, 2, 3, 4, 5].map((i) => ({
      depthwise: get<tf.Tensor4D>(`conv${i}/depthwise_filter`),
      pointwise: get<tf.Tensor4D>(`conv${i}/pointwise_filter`),
      bias: get<tf.Tensor1D>(`conv${i}/bias`),
    })),
    conv8: { filters: get('conv8/filters'), bias: get('conv8/bias') },
  };
}

export function disposeWeights(weights: TinyFaceWeights): void {
  tf.dispose([weights.conv0.filters, weights.conv0.bias, weights.conv8.filters, weights.conv8.bias]);
  for (const block of weights.blocks) tf.dispose([block.depthwise, block.pointwise, block.bias]);
}

/**
 * The forward pass. In: [1, S·32, S·32, 3] float32, (RGB − mean) / 255. Out: conv8 [1, S, S, 25] raw
 * (no sigmoid/exp). The caller owns the output.
 */
export function runTinyFaceDetector(weights: TinyFaceWeights, input: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    // conv0 is VALID on purpose: face-api trained and runs it so (the grid sits ~1 px off the nominal cells).
    let x = tf.fused.conv2d({
      x: input,
      filter: weights.conv0.filters,
      strides: 1,
      pad: 'valid',
      bias: weights.conv0.bias,
      activation: 'leakyrelu',
      leakyreluAlpha: LEAKY_ALPHA,
    });
    x = tf.maxPool(x, 2, 2, 'same');
    weights.blocks.forEach((block, i) => {
      // Zero padding of one pixel + VALID 3×3 depthwise = SAME for a 3×3 stride-1 kernel.
      const depthwise = tf.depthwiseConv2d(x, block.depthwise, 1, 'same');
      x = tf.fused.conv2d({
        x: depthwise,
        filter: block.pointwise,
        strides: 1,
        pad: 'valid',
        bias: block.bias,
        activation: 'leakyrelu',
        leakyreluAlpha: LEAKY_ALPHA,
      });
      const last = i === weights.blocks.length - 1;
      x = tf.maxPool(x, 2, last ? 1 : 2, 'same');
    });
    return tf.fused.conv2d({ x, filter: weights.conv8.filters, strides: 1, pad: 'valid', bias: weights.conv8.bias });
  });
}

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

function parseManifest(text: string, url: string): ManifestGroup[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new LoupeError('model-load-failed', `${url} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const valid =
    Array.isArray(manifest) &&
    manifest.length > 0 &&
    manifest.every((group: Partial<ManifestGroup> | null) => Array.isArray(group?.paths) && Array.isArray(group?.weights));
  if (!valid) throw new LoupeError('model-load-failed', `${url} is not a tfjs weights manifest (an array of {paths, weights}).`);
  return manifest as ManifestGroup[];
}

/**
 * Fetches the manifest at `context.url` and its weight files (with `context.fetch`, which turns HTTP
 * errors into `model-load-failed`), dequantises (`v·scale + min`) and builds the network.
 */
export async function loadTinyFaceDetector(context: LoadContext): Promise<RunnableModel> {
  const manifestResponse = await context.fetch(context.url);
  const groups = parseManifest(await manifestResponse.text(), context.url);
  // The engine's checked fetch of the weight files (HTTP status, bytes against the manifest, progress).
  const fetched = await context.loadWeights(groups);
  const weights = buildFromWeights(decodeWeights(fetched, context.url), weightsFromMap);
  let disposed = false;
  return {
    execute: (input) => [runTinyFaceDetector(weights, input as tf.Tensor4D)],
    dispose: () => {
      if (disposed) return;
      disposed = true;
      disposeWeights(weights);
    },
  };
}
