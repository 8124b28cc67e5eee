/**
 * GPU backend loss. A WebGL context can be lost (driver reset, the browser reclaiming contexts,
 * `WEBGL_lose_context`) and a WebGPU device too (driver crash, GPU removed, `GPUDevice.destroy()`).
 * tfjs does not recover by itself: its backend instance keeps the dead context or device, every later op
 * fails or reads zeros, and `tf.setBackend()` of the same name returns that same instance.
 *
 * `whenBackendLost()` reports the loss of the active backend instance; `replaceLostBackend()` (called by
 * `selectBackend` before it activates a backend) removes a lost instance from tfjs's registry and
 * registers its factory again, so the next activation builds a fresh context or device. Everything that
 * lived on the lost instance (model weights, maps) is gone: load the model again after a loss.
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../errors.js';
import { isGpuBackend } from './backend-kind.js';

/** What the tfjs engine keeps per backend name (not in tfjs's public types). */
interface EngineRegistry {
  registry: Record<string, tf.KernelBackend>;
  registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number }>;
}

/** Backend instances whose context or device is gone, with why. */
const lost = new WeakMap<object, LoupeError>();
/** One watch per backend instance. */
const watches = new WeakMap<object, Promise<LoupeError>>();

/** The WebGL context of a tfjs WebGL backend instance. */
function glOf(backend: tf.KernelBackend): WebGLRenderingContext | WebGL2RenderingContext | undefined {
  return (backend as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
}

/** The GPUDevice of a tfjs WebGPU backend instance. */
function deviceOf(backend: tf.KernelBackend): GPUDevice | undefined {
  return (backend as unknown as { device?: GPUDevice }).device;
}

function watch(backend: tf.KernelBackend): Promise<LoupeError> {
  let promise = watches.get(backend);
  if (promise) return promise;
  const gl = glOf(backend);
  const device = deviceOf(backend);
  promise = new Promise<LoupeError>((resolve) => {
    const report = (message: string) => {
      const error = new LoupeError('backend-lost', message);
      lost.set(backend, error);
      if (gl) settlePendingReads(backend);
      resolve(error);
    };
    if (gl) {
      const message = 'The WebGL context was lost (GPU reset, or the browser reclaimed it). Reloading the model on a new context.';
      if (gl.isContextLost()) report(message);
      else (gl.canvas as EventTarget).addEventListener('webglcontextlost', () => report(message), { once: true });
    } else if (device) {
      void device.lost.then((info) => {
        const why = [info.reason, info.message].filter(Boolean).join(': ');
        report(`The WebGPU device was lost${why ? ` (${why})` : ''}. Reloading the model on a new device.`);
      });
    }
    // CPU backends (wasm, cpu) have nothing to lose: the promise never settles.
  });
  watches.set(backend, promise);
  return promise;
}

/** tfjs's WebGL read path: fences polled until the GPU signals them. */
interface FencePoller {
  itemsToPoll?: { resolveFn: () => void }[];
  addItemToPoll?: (isDone: () => boolean, resolveFn: () => void) => void;
}

/**
 * A lost WebGL context never signals a fence, and tfjs polls unsignalled fences forever (a timer loop,
 * and every `data()` in flight never settles, holding its tensors). Settle them now and any later ones at
 * once: those reads return garbage from the dead context, their callers see the loss and drop it.
 */
function settlePendingReads(backend: tf.KernelBackend): void {
  const poller = (backend as unknown as { gpgpu?: FencePoller }).gpgpu;
  if (!poller?.itemsToPoll) return;
  const pending = poller.itemsToPoll;
  poller.itemsToPoll = [];
  poller.addItemToPoll = (_isDone, resolveFn) => resolveFn();
  for (const item of pending) item.resolveFn();
}

/**
 * Resolves (with a `LoupeError` of type `backend-lost`) when the GPU context or device of the backend
 * active now is lost; never settles on the WASM and CPU backends. The same promise for the same instance.
 */
export function whenBackendLost(): Promise<LoupeError> {
  return watch(tf.backend());
}

/** Whether the backend instance active now has lost its context or device. */
export function isBackendLost(): boolean {
  const name = tf.getBackend();
  const backend = name ? (tf.engine() as unknown as EngineRegistry).registry[name] : undefined;
  return backend !== undefined && isInstanceLost(backend);
}

function isInstanceLost(backend: tf.KernelBackend): boolean {
  if (lost.has(backend)) return true;
  const gl = glOf(backend);
  return gl !== undefined && gl.isContextLost();
}

/**
 * If the backend registered as `name` has lost its context or device, drops that instance (tfjs
 * disposes it) and registers the same factory again, so the next `tf.setBackend(name)` builds a new
 * one. Returns whether it did. Tensors still held on the old instance stay counted until disposed.
 */
export function replaceLostBackend(name: string): boolean {
  const engine = tf.engine() as unknown as EngineRegistry;
  const backend = engine.registry[name];
  const entry = engine.registryFactory[name];
  if (!backend || !entry || !isInstanceLost(backend)) return false;
  try {
    // Disposes the instance (and, on WebGL, the compiled-program cache shared by the next instance,
    // whose programs belong to the dead context).
    tf.removeBackend(name);
  } catch {
    // A dead context can make disposal throw; the registry entries are what matter and are gone.
    delete engine.registry[name];
    delete engine.registryFactory[name];
  }
  tf.registerBackend(name, entry.factory, entry.priority);
  return true;
}

const instanceIds = new WeakMap<object, number>();
let nextInstanceId = 1;

/**
 * A number that identifies the instance registered as backend `name` now (0 when there is none). It
 * changes when a lost backend is rebuilt: caches of things that live on a backend (loaded models) key
 * on it, so nothing from a lost context or device is handed out again.
 */
export function backendInstanceId(name: string): number {
  const backend = (tf.engine() as unknown as EngineRegistry).registry[name];
  if (!backend) return 0;
  let id = instanceIds.get(backend);
  if (id === undefined) {
    id = nextInstanceId++;
    instanceIds.set(backend, id);
  }
  return id;
}

/**
 * Whether the active backend is lost, or turns out to be within `graceMs`: a read on a destroyed WebGPU
 * device can reject before `device.lost` settles, and that error is the loss, not a failure of its own.
 */
export async function isBackendLostSoon(graceMs = 500): Promise<boolean> {
  if (isBackendLost()) return true;
  if (!isGpuBackend(tf.getBackend())) return false;
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs));
  return Promise.race([watch(tf.backend()).then(() => true), timeout]);
}
