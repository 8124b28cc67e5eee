/**
 * Warm-up at load: compiling a model's GPU programs before its first frame.
 *
 * On WebGL and WebGPU, tfjs compiles a shader (a WebGL program, a WebGPU compute pipeline) the first
 * time an op runs with a given shape, so the first `detect()` used to pay for every shader of the model
 * (seconds on a real GPU, 10–70 s on SwiftShader). tfjs 4.22 can compile without running: with the flag
 * `ENGINE_COMPILE_ONLY` (WebGL) or `WEBGPU_ENGINE_COMPILE_ONLY` (WebGPU) set, every op creates its
 * program and skips the draw or dispatch; WebGL then links them in parallel where the context has
 * `KHR_parallel_shader_compile` (`checkCompileCompletionAsync()` polls their completion, and
 * `getUniformLocations()` fills in what compile-only left out), WebGPU creates its pipelines with
 * `createComputePipelineAsync` (`checkCompileCompletionAsync()` awaits them).
 *
 * The outputs of a compile-only pass hold garbage (nothing ran): they are only disposed, never read.
 * A pass that reads a computed value (a graph op reading a shape from a tensor the GPU made, an
 * `executeAsync` graph) can not be compiled this way; `compileOnly` then throws after leaving the backend
 * clean, and the caller warms up with one real run instead.
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../errors.js';
import { whenBackendLost } from './backend-loss.js';

/** The compile-only flag of each GPU backend (both registered by tfjs 4.22's backends). */
const COMPILE_ONLY_FLAG: Record<string, string> = { webgl: 'ENGINE_COMPILE_ONLY', webgpu: 'WEBGPU_ENGINE_COMPILE_ONLY' };

/** What a WebGL binary (compiled program) holds; `variablesLocations` stays null until uniforms are looked up. */
interface WebGLBinary {
  webGLProgram: WebGLProgram;
  variablesLocations: unknown;
  program?: { constructor: { name: string } };
}

/** The parts of tfjs's WebGL and WebGPU backends the warm-up uses (not in tfjs's public types). */
interface CompilingBackend {
  checkCompileCompletionAsync?(): Promise<unknown>;
  getUniformLocations?(): void;
  /** WebGL: compiled programs by shader key (shared by the backends of one WebGL version). */
  binaryCache?: Record<string, WebGLBinary>;
  /** WebGPU: pipelines by shader key; a Promise while an async creation is pending. */
  pipelineCache?: Record<string, unknown>;
  gpgpu?: {
    gl: WebGL2RenderingContext;
    parallelCompilationExtension?: { COMPLETION_STATUS_KHR: number } | null;
    deleteProgram?(program: WebGLProgram): void;
  };
}

function cacheOf(backend: CompilingBackend): Record<string, unknown> | undefined {
  return backend.binaryCache ?? backend.pipelineCache;
}

/**
 * Keys of the programs the active backend has compiled: WebGL's `binaryCache`, WebGPU's
 * `pipelineCache`; empty on other backends. For tests and measurements.
 */
export function compiledProgramKeys(): string[] {
  const cache = cacheOf(tf.backend() as unknown as CompilingBackend);
  return cache ? Object.keys(cache) : [];
}

/** Whether the active backend can compile without running (WebGL, WebGPU of tfjs ≥ 4.x). */
export function canCompileOnly(): boolean {
  const flag = COMPILE_ONLY_FLAG[tf.getBackend()];
  if (!flag) return false;
  const registry = (tf.env() as unknown as { flagRegistry?: Record<string, unknown> }).flagRegistry ?? {};
  const backend = tf.backend() as unknown as CompilingBackend;
  return flag in registry && typeof backend.checkCompileCompletionAsync === 'function' && cacheOf(backend) !== undefined;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Compile-only passes whose programs are not all usable yet. */
const pending = new Set<Promise<unknown>>();

/**
 * Settles once no compile-only pass is waiting for its programs (null when none is). Until then a
 * program it created may be unusable (WebGL: no uniform locations yet; WebGPU: a pending pipeline), so a
 * real run on the same backend must wait: `detect()` does.
 */
export function compileInProgress(): Promise<void> | null {
  if (pending.size === 0) return null;
  return Promise.allSettled([...pending]).then(() => undefined);
}

/** Rejects with the `backend-lost` error if the GPU context or device goes away first. */
function unlessLost<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, whenBackendLost().then((error) => Promise.reject(error))]);
}

/**
 * Reports the fraction of `keys` compiled until all are. WebGL with `KHR_parallel_shader_compile`:
 * polls each program's `COMPLETION_STATUS_KHR` (non-blocking) every 20 ms, with a timer rather than
 * tfjs's animation frames, which stop in a background tab. WebGPU: counts the settled pipelines.
 * Other cases report nothing here (the compile happens, blocking, in `checkCompileCompletionAsync`).
 */
async function watchCompletion(backend: CompilingBackend, keys: readonly string[], onFraction: (fraction: number) => void): Promise<void> {
  if (keys.length === 0) return;
  const ext = backend.gpgpu?.parallelCompilationExtension;
  const binaries = backend.binaryCache;
  if (binaries && ext && backend.gpgpu) {
    const { gl } = backend.gpgpu;
    let pending = keys.filter((key) => binaries[key]);
    const total = pending.length;
    for (;;) {
      pending = pending.filter((key) => {
        const binary = binaries[key];
        return binary !== undefined && !gl.isContextLost() && gl.getProgramParameter(binary.webGLProgram, ext.COMPLETION_STATUS_KHR) !== true;
      });
      onFraction((total - pending.length) / total);
      if (pending.length === 0) return;
      await pause(20);
    }
  }
  const pipelines = backend.pipelineCache;
  if (pipelines) {
    let done = 0;
    const waits = keys.map((key) => pipelines[key]).filter((value): value is Promise<unknown> => value instanceof Promise);
    await Promise.all(
      waits.map((wait) =>
        wait.then(
          () => onFraction(++done / waits.length),
          () => undefined, // checkCompileCompletionAsync reports the failure
        ),
      ),
    );
  }
}

/**
 * Drops programs of `keys` that did not become usable (a failed link, a rejected pipeline), so a later
 * real run compiles them afresh instead of using a half-made one.
 */
function dropUnfinished(backend: CompilingBackend, keys: readonly string[]): void {
  const binaries = backend.binaryCache;
  const pipelines = backend.pipelineCache;
  for (const key of keys) {
    const binary = binaries?.[key];
    if (binaries && binary && binary.variablesLocations == null) {
      try {
        backend.gpgpu?.deleteProgram?.(binary.webGLProgram);
      } catch {
        // A lost context: the program is gone anyway.
      }
      delete binaries[key];
    }
    if (pipelines && pipelines[key] instanceof Promise) delete pipelines[key];
  }
}

/** What one compile-only pass did. */
export interface CompileReport {
  /** Programs (WebGL) or pipelines (WebGPU) compiled by the pass that the backend did not have yet. */
  programs: number;
}

/**
 * Runs `pass` with the active GPU backend's compile-only flag set, then waits until every program it
 * created is compiled and usable (in parallel where the backend can), reporting the fraction done to
 * `onFraction` (0 first, 1 last). `pass` must be synchronous (the flag is global to the tfjs engine and
 * is cleared as soon as `pass` returns), must not read any value it computes, and should run in
 * `tf.tidy` (so a throw leaves nothing behind); the tensors it returns are disposed, never read.
 *
 * Throws (after clearing the flag, disposing what it can and completing or dropping every program the
 * pass made, so the backend is as usable as before) when `pass` throws, when a program fails to compile,
 * or with `backend-lost` when the GPU goes away meanwhile. Only for WebGL and WebGPU (`canCompileOnly`).
 */
export async function compileOnly(pass: () => tf.Tensor[], onFraction: (fraction: number) => void = () => undefined): Promise<CompileReport> {
  const flag = COMPILE_ONLY_FLAG[tf.getBackend()];
  if (!flag || !canCompileOnly()) throw new LoupeError('backend-failed', `The ${tf.getBackend()} backend cannot compile without running.`);
  const backend = tf.backend() as unknown as CompilingBackend;
  const cache = cacheOf(backend) ?? {};
  const before = new Set(Object.keys(cache));
  onFraction(0);
  let outputs: tf.Tensor[] = [];
  let failure: unknown;
  tf.env().set(flag, true);
  try {
    outputs = pass();
  } catch (error) {
    failure = error;
  } finally {
    tf.env().set(flag, false);
  }
  tf.dispose(outputs);
  const added = Object.keys(cacheOf(backend) ?? cache).filter((key) => !before.has(key));
  const completion = (async () => {
    try {
      await unlessLost(watchCompletion(backend, added, onFraction));
      await unlessLost(Promise.resolve(backend.checkCompileCompletionAsync?.()));
      backend.getUniformLocations?.();
    } catch (error) {
      dropUnfinished(backend, added);
      if (error instanceof LoupeError) throw error;
      throw new LoupeError('backend-failed', `Compiling the model's ${tf.getBackend()} programs failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  })();
  pending.add(completion);
  try {
    await completion;
  } finally {
    pending.delete(completion);
  }
  if (failure !== undefined) throw failure;
  onFraction(1);
  return { programs: added.length };
}
