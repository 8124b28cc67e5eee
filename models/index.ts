/**
 * Loupe's public API for pages, elements and tools: the engine (`src/`) plus the models it knows.
 *
 * The engine never names a model: it runs any `ModelDescriptor` (`createDetectorFor`). This module is the
 * model-aware façade on top: `createDetector({ model: 'centernet' })` looks the id up in the registry, and
 * `'ultralytics:<url>'` / `{ url, format: 'ultralytics' }` builds a descriptor from a user's export.
 * Imports flow components/ → models/ → src/ (eslint.config.js enforces it).
 */
import { createDetectorFor, LoupeError, type Detector, type DetectorOptions, type ModelDescriptor, type WorkerMode } from '../src/index.js';
import { getModelDescriptor, getModelIds } from './registry.js';
import { modelSourceOf, urlModelDescriptor } from './ultralytics/source.js';
import { createWorkerDetector } from '../src/worker/proxy.js';

export * from '../src/index.js';
export { getModelIds, getModelInfo, DEFAULT_MODEL_ID, type ModelInfo } from './registry.js';
export { modelSourceOf } from './ultralytics/source.js';
export {
  explainFrame,
  explainResult,
  isExplained,
  EXPLAINED_MODELS,
  type Explanation,
  type ExplainOptions,
  type ExplainStep,
  type PyramidComparison,
  type PyramidPath,
  type ExplainedRow,
  type ExplainedModel,
  type StepPicture,
  type CellExplanation,
  type AnchorReading,
} from './explain.js';

/**
 * Loads a registered model, or a user's Ultralytics export from a URL (`{ url, format: 'ultralytics' }`
 * or `'ultralytics:<url>'`), on the chosen backend (`'auto'` by default).
 * Rejects with `LoupeError` (`unknown-model`, `bad-option`, `backend-failed`, `model-load-failed`,
 * `model-mismatch`).
 */
export async function createDetector(options: DetectorOptions): Promise<Detector> {
  checkWorkerMode(options.worker);
  const mode = options.worker ?? false;
  const { descriptor, url } = resolveModel(options.model);
  let reason = 'worker: false';
  if (mode !== false) {
    const refusal = workerRefusal(options);
    if (refusal && mode === true) throw new LoupeError('backend-failed', `worker: true, but ${refusal}.`);
    if (refusal) reason = refusal;
    else {
      try {
        // A URL model goes with its absolute URL: the Worker has no page to resolve a relative one against.
        const model = url === undefined ? options.model : `ultralytics:${url}`;
        // … and the detector and its results keep the model's name as given here (a relative URL stays so).
        return await createWorkerDetector({ ...options, model }, startWorker, descriptor.id);
      } catch (error) {
        // 'auto': the Worker, or the backend inside it, could not start; the main thread may still.
        if (mode === true || !(error instanceof LoupeError && error.type === 'backend-failed')) throw error;
        reason = `the Worker could not run it (${error.message})`;
      }
    }
  }
  const detector = await createDetectorFor(descriptor, url === undefined ? options : { ...options, modelBaseUrl: url });
  // (In Loupe's Worker itself, the engine runs where it was asked to: no reason to give.)
  if (detector.backend.thread === 'main') detector.backend.reason = reason;
  return detector;
}

/** Loupe's Worker, as a file the bundler emits beside this module (no `blob:`). */
function startWorker(): Worker {
  return new Worker(new URL('./worker-entry.ts', import.meta.url), { type: 'module', name: 'loupe-detector' });
}

/** Why the engine cannot run in a Worker here, or null when it can. */
function workerRefusal(options: DetectorOptions): string | null {
  if (typeof Worker === 'undefined' || typeof document === 'undefined') return 'there is no Worker here (not a page)';
  if (typeof createImageBitmap === 'undefined') return 'this browser has no createImageBitmap to send frames with';
  if (options.fetch) return 'a custom fetch cannot go to a Worker';
  return null;
}

/**
 * Throws the `LoupeError` that `createDetector` would for `model` (`unknown-model`, or `bad-option` for
 * an Ultralytics source without a usable URL), without loading anything: the elements check a new
 * `model` with it before they let go of the one that works.
 */
export function checkModel(model: DetectorOptions['model']): void {
  resolveModel(model);
}

/** Throws the `bad-option` LoupeError `createDetector` would for a `worker` that is not 'auto', true or false. */
export function checkWorkerMode(mode: unknown): asserts mode is WorkerMode | undefined {
  if (mode !== undefined && mode !== 'auto' && mode !== true && mode !== false) {
    throw new LoupeError('bad-option', `worker must be 'auto', true or false; got ${JSON.stringify(mode)}.`);
  }
}

/** A registry id or a URL source → its descriptor (and, for a URL model, the folder to load from). */
function resolveModel(model: DetectorOptions['model']): { descriptor: ModelDescriptor; url?: string } {
  const source = typeof model === 'string' ? modelSourceOf(model) : model;
  // A user's export from a URL: the descriptor is built from the model itself at load.
  if (source) return urlModelDescriptor(source, typeof model === 'string' ? model : undefined);
  const descriptor = typeof model === 'string' ? getModelDescriptor(model) : undefined;
  if (!descriptor) throw new LoupeError('unknown-model', `Unknown model '${String(model)}'. Known: ${getModelIds().join(', ')}.`);
  return { descriptor };
}
