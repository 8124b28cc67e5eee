import * as tf from '@tensorflow/tfjs';
import type { HostOutput } from '../model-descriptor.js';

/** What the WASM backend offers to read a tensor where it lies (public on `BackendWasm`). */
interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * The float32 outputs of a model as they lie in main memory, without copying: a view of the WASM
 * heap, or the CPU backend's own array. Null on GPU backends or for other dtypes (decode with tfjs ops
 * there). The views are valid until the next tfjs call.
 */
export function hostOutputs(outputs: readonly tf.Tensor[]): HostOutput[] | null {
  const name = tf.getBackend();
  if (name !== 'wasm' && name !== 'cpu') return null;
  const backend = tf.backend() as unknown as Partial<HeapBackend> & tf.KernelBackend;
  const views: HostOutput[] = [];
  for (const tensor of outputs) {
    if (tensor.dtype !== 'float32' || tensor.isDisposed) return null;
    const values = name === 'wasm' ? backend.typedArrayFromHeap?.(tensor) : backend.readSync(tensor.dataId);
    if (!(values instanceof Float32Array) || values.length !== tensor.size) return null;
    views.push({ values, shape: tensor.shape });
  }
  return views;
}
