/**
 * Backend selection. `'auto'` walks WebGPU → WebGL → WASM → CPU and records why each earlier one was
 * passed over. A software GPU (SwiftShader, llvmpipe, a WebGPU fallback adapter) runs CenterNet one to
 * two orders of magnitude slower than WASM on the same CPU, so `'auto'` skips it and says so; asking for
 * that backend explicitly still gets it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { LoupeError } from '../errors.js';
import { replaceLostBackend } from './backend-loss.js';
import type { BackendName, BackendPreference, BackendReport, SkippedBackend } from '../types.js';
import { isGpuBackend } from './backend-kind.js';

export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** What a probe learnt about a GPU backend without initialising tfjs on it. */
interface GpuProbe {
  available: boolean;
  software: boolean;
  device: string;
  /** Why it is unavailable (when `available` is false). */
  reason?: string;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { available: false, software: false, device: '', reason: 'WebGPU is not available in this browser (no navigator.gpu)' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { available: false, software: false, device: '', reason: 'the browser offers no WebGPU adapter' };
  const info = adapter.info;
  const device = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown WebGPU adapter';
  // `isFallbackAdapter` moved from the adapter to its info in newer specs; read both.
  const fallback = Boolean((adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
    Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return { available: true, software: fallback || SOFTWARE_RENDERER.test(device), device };
}

function probeWebGl(): GpuProbe {
  if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') {
    return { available: false, software: false, device: '', reason: 'WebGL needs a browser (no canvas here)' };
  }
  const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : new OffscreenCanvas(1, 1);
  const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
  if (!gl) return { available: false, software: false, device: '', reason: 'WebGL 2 is not available (context creation failed)' };
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const device = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  // Give the probe context back at once: browsers cap live WebGL contexts per page.
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { available: true, software: SOFTWARE_RENDERER.test(device), device };
}

let globalWasmBaseUrl: string | undefined;

/**
 * Sets the folder URL the WASM backend loads its `.wasm` binaries from unless a detector gets
 * `wasmPaths`. Default: `/tfjs-wasm/` on the page's origin (the library bundle: `tfjs-wasm/` next to it).
 */
export function setWasmBaseUrl(url: string | undefined): void {
  globalWasmBaseUrl = url;
}

/** Points the WASM backend at its `.wasm` binaries (browser only; Node finds them in the package). */
function configureWasm(wasmPaths: string | undefined): void {
  if (typeof document === 'undefined') return;
  setWasmPaths(wasmPaths ?? globalWasmBaseUrl ?? new URL('/tfjs-wasm/', document.baseURI).href);
}

async function activate(name: BackendName, wasmPaths: string | undefined): Promise<boolean> {
  // A backend whose GPU context or device was lost is rebuilt (see backend-loss.ts), not reused.
  replaceLostBackend(name);
  if (tf.getBackend() === name) {
    // Another detector may have started this backend a moment ago: wait for its initialisation.
    await tf.ready();
    return true;
  }
  if (name === 'wasm') configureWasm(wasmPaths);
  if (!tf.findBackendFactory(name)) return false;
  try {
    if (!(await tf.setBackend(name))) return false;
  } catch {
    return false;
  }
  if (name === 'webgl') {
    // tfjs's WebGL topK reads its input back synchronously and sorts on the CPU when the last dimension
    // is under 100,000 or k over 128 (NanoDet's candidates, the NMS ranking): keep it on the GPU.
    tf.env().set('TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD', 0);
    tf.env().set('TOPK_K_CPU_HANDOFF_THRESHOLD', Number.MAX_SAFE_INTEGER);
  }
  if (name === 'webgpu' && isSwiftShaderWebGpu()) {
    // On SwiftShader, importing video frames as GPUExternalTexture (tfjs's default) lost the device on
    // the next readback in Chromium 156; copyExternalImageToTexture also stays on the GPU and costs one
    // texture copy. Hardware adapters keep the zero-copy import. See docs/architecture.md.
    tf.env().set('WEBGPU_IMPORT_EXTERNAL_TEXTURE', false);
  }
  return true;
}

/**
 * Whether the active backend is WebGPU on SwiftShader, where (headless Chromium 156) presenting a
 * WebGPU canvas or importing an external texture loses the device for every later `mapAsync`
 * ("A valid external Instance reference no longer exists"). Reproduced without tfjs.
 */
export function isSwiftShaderWebGpu(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const info = (tf.backend() as unknown as { adapterInfo?: { architecture?: string; vendor?: string } }).adapterInfo;
  return /swiftshader/i.test(`${info?.architecture ?? ''} ${info?.vendor ?? ''}`);
}

function deviceOf(name: BackendName, probe: GpuProbe | undefined): string {
  if (name === 'wasm') return 'CPU (WebAssembly)';
  if (name === 'cpu') return 'CPU (JavaScript)';
  return probe?.device ?? name;
}

const SOFTWARE_REASON: Record<'webgpu' | 'webgl', string> = {
  webgpu: 'software WebGPU adapter (SwiftShader/fallback): far slower than WASM on this CPU',
  webgl: 'software WebGL renderer (SwiftShader/llvmpipe): far slower than WASM on this CPU',
};

/**
 * Makes `preference` the active tfjs backend, or the first that works for `'auto'`.
 * An explicit backend that fails throws `LoupeError('backend-failed')`: the caller decides whether to
 * fall back, and must say so (the elements do, with the reason in `skipped`).
 */
export async function selectBackend(preference: BackendPreference, wasmPaths?: string): Promise<BackendReport> {
  const skipped: SkippedBackend[] = [];
  const candidates = preference === 'auto' ? AUTO_ORDER : [preference];
  for (const name of candidates) {
    let probe: GpuProbe | undefined;
    if (isGpuBackend(name)) {
      probe = name === 'webgpu' ? await probeWebGpu() : probeWebGl();
      if (!probe.available) {
        skipped.push({ backend: name, reason: probe.reason ?? 'unavailable' });
        continue;
      }
      if (probe.software && preference === 'auto') {
        skipped.push({ backend: name, reason: `${SOFTWARE_REASON[name]} (${probe.device})` });
        continue;
      }
    }
    if (await activate(name, wasmPaths)) return { backend: name, skipped, device: deviceOf(name, probe) };
    skipped.push({ backend: name, reason: `tfjs could not initialise the ${name} backend` });
  }
  const detail = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  throw new LoupeError('backend-failed', `No usable backend for '${preference}' (${detail}).`);
}
