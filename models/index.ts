/**
 * Loupe's public API for pages, elements and tools: the engine (`src/`) plus the models it knows.
 *
 * The engine never names a model: it runs any `ModelDescriptor` (`createDetectorFor`). This module is the
 * model-aware façade on top: `createDetector({ model: 'centernet' })` looks the id up in the registry, and
 * `'ultralytics:<url>'` / `{ url, format: 'ultralytics' }` builds a descriptor from a user's export.
 * Imports flow components/ → models/ → src/ (eslint.config.js enforces it).
 */
import { createDetectorFor, LoupeError, type Detector, type DetectorOptions } from '../src/index.js';
import { getModelDescriptor, getModelIds } from './registry.js';
import { modelSourceOf, urlModelDescriptor } from './ultralytics/source.js';

export * from '../src/index.js';
export { getModelIds, getModelInfo, DEFAULT_MODEL_ID, type ModelInfo } from './registry.js';
export { modelSourceOf } from './ultralytics/source.js';

/**
 * Loads a registered model, or a user's Ultralytics export from a URL (`{ url, format: 'ultralytics' }`
 * or `'ultralytics:<url>'`), on the chosen backend (`'auto'` by default).
 * Rejects with `LoupeError` (`unknown-model`, `bad-option`, `backend-failed`, `model-load-failed`,
 * `model-mismatch`).
 */
export async function createDetector(options: DetectorOptions): Promise<Detector> {
  const source = typeof options.model === 'string' ? modelSourceOf(options.model) : options.model;
  if (source) {
    // A user's export from a URL: the descriptor is built from the model itself at load.
    const { descriptor, url } = urlModelDescriptor(source, typeof options.model === 'string' ? options.model : undefined);
    return createDetectorFor(descriptor, { ...options, modelBaseUrl: url });
  }
  const descriptor = typeof options.model === 'string' ? getModelDescriptor(options.model) : undefined;
  if (!descriptor) {
    throw new LoupeError('unknown-model', `Unknown model '${options.model}'. Known: ${getModelIds().join(', ')}.`);
  }
  return createDetectorFor(descriptor, options);
}
