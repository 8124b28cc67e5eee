/**
 * Loupe's public API for pages, elements and tools: the engine (`src/`) plus the models it knows.
 *
 * The engine never names a model: it runs any `ModelDescriptor` (`createDetectorFor`). This module is the
 * model-aware façade on top: `createDetector({ model: 'centernet' })` looks the id up in the registry, and
 * `'ultralytics:<url>'` / `{ url, format: 'ultralytics' }` builds a descriptor from a user's export.
 * Imports flow components/ → models/ → src/ (eslint.config.js enforces it).
 */
import { createDetectorFor, LoupeError, type Detector, type DetectorOptions, type ModelDescriptor } from '../src/index.js';
import { getModelDescriptor, getModelIds } from './registry.js';
import { modelSourceOf, urlModelDescriptor } from './ultralytics/source.js';

export * from '../src/index.js';
export { getModelIds, getModelInfo, DEFAULT_MODEL_ID, type ModelInfo } from './registry.js';
export { modelSourceOf } from './ultralytics/source.js';
export {
  explainFrame,
  explainResult,
  isExplained,
  EXPLAINED_MODELS,
  type Explanation,
  type ExplainStep,
  type ExplainedRow,
  type ExplainedModel,
  type StepPicture,
  type CellExplanation,
} from './explain.js';

/**
 * Loads a registered model, or a user's Ultralytics export from a URL (`{ url, format: 'ultralytics' }`
 * or `'ultralytics:<url>'`), on the chosen backend (`'auto'` by default).
 * Rejects with `LoupeError` (`unknown-model`, `bad-option`, `backend-failed`, `model-load-failed`,
 * `model-mismatch`).
 */
export async function createDetector(options: DetectorOptions): Promise<Detector> {
  const { descriptor, url } = resolveModel(options.model);
  return createDetectorFor(descriptor, url === undefined ? options : { ...options, modelBaseUrl: url });
}

/**
 * Throws the `LoupeError` that `createDetector` would for `model` (`unknown-model`, or `bad-option` for
 * an Ultralytics source without a usable URL), without loading anything: the elements check a new
 * `model` with it before they let go of the one that works.
 */
export function checkModel(model: DetectorOptions['model']): void {
  resolveModel(model);
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
