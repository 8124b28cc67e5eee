// The page's side of a GPU lost in Loupe's Worker (src/worker/proxy.ts): `whenLost()` asks the Worker
// once, and resolves with the Worker's own `backend-lost`, or with one when the Worker stops under the
// model; never on a CPU backend, never after dispose. A scripted Worker stands in for the real one
// (e2e/backend-loss.spec.ts loses a real WebGL context in the real Worker).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoupeError } from '../errors.js';
import type { BackendName } from '../types.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { createWorkerDetector } from './proxy.js';

/** A Worker that answers `create` for `backend` and records what the page sent. */
class ScriptedWorker extends EventTarget {
  readonly sent: ToWorker[] = [];
  terminated = false;

  constructor(private readonly backend: BackendName) {
    super();
    queueMicrotask(() => this.answer({ type: 'ready' }));
  }

  answer(message: FromWorker): void {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }

  postMessage(message: ToWorker): void {
    this.sent.push(message);
    if (message.type !== 'create') return;
    const info = {
      model: 'centernet',
      labels: ['person'],
      backend: { backend: this.backend, skipped: [], device: 'test', thread: 'worker' as const },
      inputSize: { width: 512, height: 512 },
      runOptions: { scoreThreshold: 0.3, maxDetections: 100, nmsIouThreshold: null },
      rules: { defaults: { scoreThreshold: 0.3, maxDetections: 100, nmsIouThreshold: null }, maxDetectionsLimit: 100 },
    };
    queueMicrotask(() => this.answer({ type: 'created', id: message.id, info } as FromWorker));
  }

  terminate(): void {
    this.terminated = true;
  }

  watchId(): number | undefined {
    return this.sent.find((m): m is Extract<ToWorker, { type: 'watch-loss' }> => m.type === 'watch-loss')?.id;
  }
}

const settledWithin = async <T>(promise: Promise<T>, ms = 50): Promise<T | 'pending'> =>
  Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

describe('worker mode: a lost GPU crosses to the page', () => {
  const original = (globalThis as { document?: unknown }).document;
  beforeAll(() => {
    // The proxy resolves folders against the page (a Worker has none to resolve against).
    (globalThis as { document?: unknown }).document = { baseURI: 'http://localhost/' };
  });
  afterAll(() => {
    (globalThis as { document?: unknown }).document = original;
  });

  it("resolves with the Worker's backend-lost, its type and message kept", async () => {
    const worker = new ScriptedWorker('webgl');
    const detector = await createWorkerDetector({ model: 'centernet', backend: 'webgl' }, () => worker as unknown as Worker);
    const lost = detector.whenLost();
    expect(detector.whenLost()).toBe(lost);
    const id = worker.watchId()!;
    expect(worker.sent.filter((m) => m.type === 'watch-loss')).toHaveLength(1);
    expect(await settledWithin(lost)).toBe('pending');
    worker.answer({ type: 'lost', id, error: { type: 'backend-lost', message: 'The WebGL context was lost.' } });
    const error = await lost;
    expect(error).toBeInstanceOf(LoupeError);
    expect(error.type).toBe('backend-lost');
    expect(error.message).toBe('The WebGL context was lost.');
    detector.dispose();
    expect(worker.terminated).toBe(true);
  });

  it('a Worker that stops under a GPU model counts as lost; nothing is asked on WASM; dispose ends the watch quietly', async () => {
    const gpu = new ScriptedWorker('webgpu');
    const detector = await createWorkerDetector({ model: 'centernet', backend: 'webgpu' }, () => gpu as unknown as Worker);
    const lost = detector.whenLost();
    gpu.dispatchEvent(Object.assign(new Event('error'), { message: 'out of memory' }));
    const error = await lost;
    expect(error.type).toBe('backend-lost');
    expect(error.message).toMatch(/out of memory/);
    detector.dispose();

    const cpu = new ScriptedWorker('wasm');
    const onWasm = await createWorkerDetector({ model: 'centernet', backend: 'wasm' }, () => cpu as unknown as Worker);
    expect(await settledWithin(onWasm.whenLost())).toBe('pending');
    expect(cpu.watchId()).toBeUndefined();
    onWasm.dispose();

    const again = new ScriptedWorker('webgl');
    const disposed = await createWorkerDetector({ model: 'centernet', backend: 'webgl' }, () => again as unknown as Worker);
    const quiet = disposed.whenLost();
    disposed.dispose();
    expect(await settledWithin(quiet)).toBe('pending');
  });
});
