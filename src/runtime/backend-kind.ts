/** Which backends compute on a GPU (WebGL, WebGPU) and which in main memory (WASM, CPU). */
import { LoupeError } from '../errors.js';
import type { BackendName, BackendPreference } from '../types.js';

/** Every value `backend` takes: `auto` (the best that works here), or one backend by name. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** Throws `LoupeError('bad-option')` unless `value` is one of `BACKEND_PREFERENCES`. */
export function checkBackendPreference(value: unknown): asserts value is BackendPreference {
  if (!BACKEND_PREFERENCES.includes(value as BackendPreference)) {
    throw new LoupeError('bad-option', `Unknown backend '${String(value)}'. Use one of: ${BACKEND_PREFERENCES.join(', ')}.`);
  }
}

/**
 * True for WebGL and WebGPU: tensors live on the GPU, reads back are asynchronous and cost a transfer,
 * and shaders are compiled per op and shape. False for WASM and CPU, whose tensors are in main memory.
 */
export function isGpuBackend(name: string | undefined): name is Extract<BackendName, 'webgl' | 'webgpu'> {
  return name === 'webgl' || name === 'webgpu';
}
