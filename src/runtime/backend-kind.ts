/** Which backends compute on a GPU (WebGL, WebGPU) and which in main memory (WASM, CPU). */
import type { BackendName } from '../types.js';

/**
 * True for WebGL and WebGPU: tensors live on the GPU, reads back are asynchronous and cost a transfer,
 * and shaders are compiled per op and shape. False for WASM and CPU, whose tensors are in main memory.
 */
export function isGpuBackend(name: string | undefined): name is Extract<BackendName, 'webgl' | 'webgpu'> {
  return name === 'webgl' || name === 'webgpu';
}
