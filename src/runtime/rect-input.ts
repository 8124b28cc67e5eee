/**
 * Rectangular inputs for graphs whose converter froze their upsampling sizes for the square input
 * (`ModelDescriptor.rectInput`). Two things make such a graph run at, say, 512 × 384:
 * 1. at load, the input placeholder's height and width become −1 (the graph model then accepts any
 *    size, and constant folding does not bake the square size into shape computations);
 * 2. before each execution at a new input size, the ResizeBilinear size constants ([h, w] int32, the
 *    square input ÷ their stride) are swapped for that size's ([H ÷ stride, W ÷ stride]).
 * Everything else in these graphs (convolutions, pools, concatenations, reshapes with −1) follows the
 * input's size by itself.
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../errors.js';
import type { LevelSpec, ModelDescriptor } from '../model-descriptor.js';
import type { LetterboxTransform } from '../types.js';

interface TopologyNode {
  name: string;
  op: string;
  attr?: { shape?: { shape?: { dim?: { size: string | number }[] } } };
}

/** Index of height and width in the input's shape. */
function spatialAxes(descriptor: ModelDescriptor): [number, number] {
  return descriptor.input.layout === 'nchw' ? [2, 3] : [1, 2];
}

/**
 * Fails a graph whose declared input size (`shape`, −1 or absent where free) is not the descriptor's:
 * `LoupeError('model-mismatch')`.
 */
export function checkInputSize(descriptor: ModelDescriptor, shape: readonly (number | undefined)[]): void {
  const [heightAxis, widthAxis] = spatialAxes(descriptor);
  const h = shape[heightAxis];
  const w = shape[widthAxis];
  if ((h !== undefined && h > 0 && h !== descriptor.input.height) || (w !== undefined && w > 0 && w !== descriptor.input.width)) {
    throw new LoupeError('model-mismatch', `Model '${descriptor.id}' expects ${w}×${h} input, descriptor says ${descriptor.input.width}×${descriptor.input.height}.`);
  }
}

/**
 * An IO handler that loads the model with its input's height and width relaxed to −1 (node attribute
 * and signature), after checking they are the descriptor's (the relaxed graph cannot tell any more).
 * Other models pass through unchanged.
 */
export function relaxInputSize(handler: tf.io.IOHandler, descriptor: ModelDescriptor): tf.io.IOHandler {
  const load = handler.load?.bind(handler);
  if (!descriptor.rectInput || !load) return handler;
  const axes = spatialAxes(descriptor);
  return {
    load: async () => {
      const artifacts = await load();
      const topology = artifacts.modelTopology as { node?: TopologyNode[] } | undefined;
      const input = topology?.node?.find((node) => node.name === descriptor.input.name && node.op === 'Placeholder');
      const dims = input?.attr?.shape?.shape?.dim;
      if (dims) checkInputSize(descriptor, dims.map((dim) => Number(dim.size)));
      if (dims) for (const axis of axes) if (dims[axis]) dims[axis]!.size = '-1';
      const signature = artifacts.signature as { inputs?: Record<string, { tensorShape?: { dim?: { size: string | number }[] } }> } | undefined;
      for (const entry of Object.values(signature?.inputs ?? {})) {
        const signatureDims = entry.tensorShape?.dim;
        if (signatureDims) for (const axis of axes) if (signatureDims[axis]) signatureDims[axis]!.size = '-1';
      }
      return artifacts;
    },
  };
}

interface Executor {
  weightMap: Record<string, tf.Tensor[]>;
}

/** Sets a graph's size constants for each input size it runs at; `release()` restores and frees. */
export interface InputSizer {
  /** Before an execution: makes the graph's upsampling sizes those of `input` ([1, H, W, 3] / [1, 3, H, W]). */
  prepare(input: tf.Tensor): void;
  release(): void;
}

/**
 * The sizer of a loaded `rectInput` graph. Reads the square size constants once; each differs from the
 * square input by its stride (e.g. CenterNet's neck: 32 × 32 at 512 → stride 16).
 */
export function inputSizer(graph: tf.GraphModel, descriptor: ModelDescriptor): InputSizer | null {
  const spec = descriptor.rectInput;
  if (!spec) return null;
  const executor = (graph as unknown as { executor: Executor }).executor;
  const originals = new Map<string, tf.Tensor>();
  const strides = new Map<string, [number, number]>();
  for (const name of spec.sizeConstants) {
    const tensor = executor.weightMap[name]?.[0];
    const value = tensor && tensor.size === 2 && tensor.dtype === 'int32' ? (tensor.dataSync() as Int32Array) : null;
    if (!tensor || !value || !(value[0]! > 0 && value[1]! > 0)) {
      throw new LoupeError('model-mismatch', `Model '${descriptor.id}' has no [h, w] size constant '${name}' for rectangular inputs.`);
    }
    originals.set(name, tensor);
    strides.set(name, [descriptor.input.height / value[0]!, descriptor.input.width / value[1]!]);
  }
  const [heightAxis, widthAxis] = spatialAxes(descriptor);
  const squareKey = `${descriptor.input.height}x${descriptor.input.width}`;
  let current = squareKey;
  // Constants per input size, kept until release: a page usually sees one or two sizes, and two
  // detectors sharing the model at different sizes then swap without creating tensors each frame.
  const bySize = new Map<string, Map<string, tf.Tensor>>([[squareKey, originals]]);
  const install = (tensors: Map<string, tf.Tensor>): void => {
    // Through the executor's setter: it also records the weights' ids, which it never disposes.
    const next = { ...executor.weightMap };
    for (const [name, tensor] of tensors) next[name] = [tensor];
    executor.weightMap = next;
  };
  return {
    prepare(input) {
      const height = input.shape[heightAxis] ?? 0;
      const width = input.shape[widthAxis] ?? 0;
      const key = `${height}x${width}`;
      if (key === current) return;
      let tensors = bySize.get(key);
      if (!tensors) {
        if ([...strides.values()].some(([strideY, strideX]) => height % strideY !== 0 || width % strideX !== 0)) {
          throw new LoupeError('bad-input', `'${descriptor.id}' takes inputs in steps of ${spec.multiple} px; got ${width}×${height}.`);
        }
        const made = new Map<string, tf.Tensor>();
        for (const [name, [strideY, strideX]] of strides) {
          // tf.keep: an execution may run inside a tidy (the warm-up's compile pass).
          made.set(name, tf.keep(tf.tensor1d([height / strideY, width / strideX], 'int32')));
        }
        tensors = made;
        bySize.set(key, tensors);
      }
      install(tensors);
      current = key;
    },
    release() {
      install(originals);
      for (const [key, tensors] of bySize) if (key !== squareKey) tf.dispose([...tensors.values()]);
      bySize.clear();
      bySize.set(squareKey, originals);
      current = squareKey;
    },
  };
}

/**
 * The model's output grids for an input: the descriptor's, or for a `rectInput` model the grids of the
 * input `letterbox` describes (input size ÷ stride).
 */
export function levelsFor(descriptor: ModelDescriptor, letterbox: LetterboxTransform): readonly LevelSpec[] {
  if (!descriptor.rectInput) return descriptor.levels;
  if (letterbox.inputWidth === descriptor.input.width && letterbox.inputHeight === descriptor.input.height) return descriptor.levels;
  return descriptor.levels.map((level) => ({
    ...level,
    width: Math.round(letterbox.inputWidth / level.stride),
    height: Math.round(letterbox.inputHeight / level.stride),
  }));
}

