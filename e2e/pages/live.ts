/**
 * Script of e2e/pages/live.html. Builds a <loupe-live> from the query string and records what it
 * reports on `window.loupeTest`, for the specs to poll. It imports tfjs itself: under Vite that is the
 * same module instance the elements use, so `tf.engine().backend` is the backend running the model.
 */
import * as tf from '@tensorflow/tfjs';
import '../../components/index.js';
import { workerMemory, type BackendReport, type DetectionSummary } from '../../models/index.js';

export interface ReadbackFrame {
  /** Bytes returned by backend.read/readSync since the previous loupe-detections event. */
  bytes: number;
  calls: number;
  /** Sizes of the individual reads, largest first (first 10). */
  largest: number[];
}

export interface LoupeTestState {
  detections: DetectionSummary[];
  backend: BackendReport | null;
  errors: { type: string; message: string }[];
  progress: number[];
  readback: ReadbackFrame[];
  /** performance.now() at each loupe-detections event. */
  times: number[];
  /** loupe-track-start / loupe-track-end events (with `track`): which, the track id, its label. */
  trackEvents: { type: 'start' | 'end'; id: number; label: string }[];
}

const state: LoupeTestState = { detections: [], backend: null, errors: [], progress: [], readback: [], times: [], trackEvents: [] };
(window as unknown as { loupeTest: LoupeTestState; tf: typeof tf }).loupeTest = state;
(window as unknown as { tf: typeof tf }).tf = tf;
// Worker mode: the Worker's tfjs memory, null once Loupe terminated it (e2e/worker.spec.ts).
(window as unknown as { workerMemory: typeof workerMemory }).workerMemory = workerMemory;

const params = new URLSearchParams(location.search);
const live = document.createElement('loupe-live');
for (const name of ['backend', 'layers', 'src', 'score-threshold', 'max-detections', 'model', 'fallback-src', 'model-base-url', 'track', 'worker']) {
  const value = params.get(name);
  if (value !== null) live.setAttribute(name, value);
}

// Readback counter: wraps read/readSync of the backend the model runs on, as soon as it is chosen.
let pending: ReadbackFrame = { bytes: 0, calls: 0, largest: [] };
let inside = 0;
function sizeOf(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + sizeOf(v), 0);
  if (typeof value === 'string') return value.length * 2;
  return 0;
}
function record(bytes: number): void {
  pending.bytes += bytes;
  pending.calls += 1;
  pending.largest = [...pending.largest, bytes].sort((a, b) => b - a).slice(0, 10);
}
function wrapBackend(): void {
  type Readable = { read(id: object): Promise<unknown>; readSync(id: object): unknown; __loupeWrapped?: boolean };
  const backend = tf.engine().backend as unknown as Readable;
  if (backend.__loupeWrapped) return;
  backend.__loupeWrapped = true;
  const read = backend.read.bind(backend);
  const readSync = backend.readSync.bind(backend);
  // A backend's read()/readSync() may call its own read()/readSync() for the same data (slices,
  // complex tensors) synchronously: those inner calls are not counted again.
  backend.read = (id) => {
    const nested = inside > 0;
    inside += 1;
    let promise: Promise<unknown>;
    try {
      promise = read(id);
    } finally {
      inside -= 1;
    }
    return promise.then((value) => {
      if (!nested) record(sizeOf(value));
      return value;
    });
  };
  backend.readSync = (id) => {
    const nested = inside > 0;
    inside += 1;
    try {
      const value = readSync(id);
      if (!nested) record(sizeOf(value));
      return value;
    } finally {
      inside -= 1;
    }
  };
}

live.addEventListener('loupe-backend', (e) => {
  state.backend = e.detail;
  if (params.get('readback') === '1') wrapBackend();
  pending = { bytes: 0, calls: 0, largest: [] };
});
live.addEventListener('loupe-detections', (e) => {
  state.detections.push(e.detail);
  state.times.push(performance.now());
  state.readback.push(pending);
  pending = { bytes: 0, calls: 0, largest: [] };
});
live.addEventListener('loupe-error', (e) => state.errors.push(e.detail));
live.addEventListener('loupe-track-start', (e) => state.trackEvents.push({ type: 'start', id: e.detail.id, label: e.detail.label }));
live.addEventListener('loupe-track-end', (e) => state.trackEvents.push({ type: 'end', id: e.detail.id, label: e.detail.label }));
live.addEventListener('loupe-progress', (e) => state.progress.push(e.detail.fraction));
document.body.append(live);
