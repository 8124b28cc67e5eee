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
  if (!gpu) {
    const reason = typeof window === 'undefined' ? 'WebGPU needs a browser (no navigator.gpu here)' : 'WebGPU is not available in this browser (no navigator.gpu)';
    return { available: false, software: false, device: '', reason };
  }
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

/** The first bytes of every WebAssembly binary (`\0asm`). */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Why tfjs's own start of the WASM backend failed on this page, once it has. tfjs cannot start it again
 * after that (its `setWasmPaths()` then throws "already initialized" for the rest of the page's life), so
 * every later WASM start is refused at once with this reason and `auto` goes on to CPU.
 */
let wasmStartFailure: string | undefined;

/**
 * The folder the WASM binaries are loaded from (absolute, ending in `/`: tfjs appends the file name to
 * it as text), or a reason when `wasmPaths` is not a URL.
 */
export function wasmFolder(wasmPaths: string | undefined, baseUrl: string): { folder: string } | { reason: string } {
  const given = wasmPaths ?? globalWasmBaseUrl ?? '/tfjs-wasm/';
  let folder: URL;
  try {
    folder = new URL(given, baseUrl);
  } catch {
    return { reason: `wasm-paths '${given}' is not a URL` };
  }
  return { folder: folder.href.endsWith('/') ? folder.href : `${folder.href}/` };
}

/** The binary tfjs will fetch from `folder` (its own choice: threads and SIMD where the browser has them). */
async function wasmBinaryUrl(folder: string): Promise<string> {
  const [simd, threads] = await Promise.all([tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')]);
  const file = simd && threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  return `${folder}${file}`;
}

/**
 * Checks, before tfjs tries, that the WASM binary is where tfjs will look: an HTTP error, a network
 * error, or something that is not WebAssembly (a server's HTML fallback page) would make tfjs's start
 * fail, and a failed start cannot be retried on the page (see `wasmStartFailure`). Reads the first bytes
 * only (a range request; the rest of a full answer is cancelled). Returns why not, or null.
 */
async function checkWasmBinary(url: string): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: 'bytes=0-3' }, credentials: 'same-origin' });
  } catch (error) {
    return `the WASM binary ${url} could not be fetched (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!response.ok) {
    void response.body?.cancel().catch(() => undefined);
    return `the WASM binary ${url} answered HTTP ${response.status}`;
  }
  const head = new Uint8Array(4);
  let filled = 0;
  const reader = response.body?.getReader();
  try {
    while (reader && filled < head.length) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = value.subarray(0, head.length - filled);
      head.set(take, filled);
      filled += take.length;
    }
  } catch (error) {
    return `reading the WASM binary ${url} failed (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    void reader?.cancel().catch(() => undefined);
  }
  if (filled < head.length || WASM_MAGIC.some((byte, i) => head[i] !== byte)) {
    const type = response.headers.get('content-type');
    return `${url} is not a WebAssembly binary${type ? ` (${type})` : ''}: wasm-paths must be the folder holding tfjs-backend-wasm*.wasm`;
  }
  return null;
}

/** Whether this runs in a Worker (Node and pages have no `WorkerGlobalScope`). */
const inWorker = (): boolean => typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function';

/**
 * Points tfjs at the WASM binaries and checks they are there (browser only; Node finds them in the
 * package). Returns why WASM cannot start, or null.
 */
async function prepareWasm(wasmPaths: string | undefined): Promise<string | null> {
  if (wasmStartFailure) return wasmStartFailure;
  // The page's base, or in Loupe's Worker its own URL (the page hands it absolute folders).
  const base = typeof document !== 'undefined' ? document.baseURI : inWorker() ? location.href : null;
  if (base === null) return null;
  const where = wasmFolder(wasmPaths, base);
  if ('reason' in where) return where.reason;
  const problem = await checkWasmBinary(await wasmBinaryUrl(where.folder));
  if (problem) return problem;
  try {
    setWasmPaths(where.folder);
  } catch (error) {
    // The page (not Loupe) started tfjs's WASM backend before, and that start failed.
    wasmStartFailure = `the page's own start of tfjs's WASM backend failed before Loupe's (tfjs: ${error instanceof Error ? error.message : String(error)}); WASM can start again only after a page reload (let Loupe start it, or call setWasmPaths() before tf.setBackend('wasm'))`;
    return wasmStartFailure;
  }
  return null;
}

/** The engine fields a start looks at (tfjs keeps them private; `tf.findBackend()` would start the backend). */
interface EngineStart {
  registry: Record<string, tf.KernelBackend | undefined>;
  pendingBackendInit: Promise<boolean> | null;
}

/** Whether tfjs holds a started instance of backend `name`. */
function isStarted(name: BackendName): boolean {
  return (tf.engine() as unknown as EngineStart).registry[name] !== undefined;
}

/** One start per backend at a time: detectors created together wait for the same start. */
const starting = new Map<BackendName, Promise<string | null>>();

/** Makes `name` the active tfjs backend, starting it when needed. Returns why it could not, or null. */
function activate(name: BackendName, wasmPaths: string | undefined): Promise<string | null> {
  let start = starting.get(name);
  if (!start) {
    start = startBackend(name, wasmPaths).finally(() => starting.delete(name));
    starting.set(name, start);
  }
  return start;
}

async function startBackend(name: BackendName, wasmPaths: string | undefined): Promise<string | null> {
  // A backend whose GPU context or device was lost is rebuilt (see backend-loss.ts), not reused.
  replaceLostBackend(name);
  if (!tf.findBackendFactory(name)) return `tfjs has no ${name} backend in this build`;
  // A start already under way (the page's own, or another backend's): a second start now would make
  // tfjs drop the first one's result.
  const pending = (tf.engine() as unknown as EngineStart).pendingBackendInit;
  if (pending) await pending.catch(() => false);
  // tfjs's backend name alone is no proof: it names a backend before its start has succeeded.
  if (tf.getBackend() === name && isStarted(name)) return null;
  // Not started yet (an instance the page or a detector made earlier is reused as it is).
  if (name === 'wasm' && !isStarted(name)) {
    const problem = await prepareWasm(wasmPaths);
    if (problem) return problem;
  }
  let started: boolean;
  try {
    started = await tf.setBackend(name);
  } catch (error) {
    started = false;
    if (name === 'wasm') wasmStartFailure = `tfjs could not start WASM (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!started || !isStarted(name)) {
    // tfjs logs its reason as a warning; the WASM start is then lost for the page (see wasmStartFailure).
    if (name === 'wasm') wasmStartFailure ??= 'tfjs could not start WASM here (its reason is in the console); it can start again only after a page reload';
    return name === 'wasm' ? wasmStartFailure! : `tfjs could not initialise the ${name} backend`;
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
  return null;
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
    const problem = await activate(name, wasmPaths);
    if (problem === null) return { backend: name, skipped, device: deviceOf(name, probe) };
    skipped.push({ backend: name, reason: problem });
  }
  if (preference !== 'auto' && skipped.length === 1) {
    throw new LoupeError('backend-failed', `The ${preference} backend cannot start here: ${skipped[0]!.reason}.`);
  }
  const detail = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  throw new LoupeError('backend-failed', `No usable backend for '${preference}' (${detail}).`);
}
