/**
 * Loupe's engine API: plain TypeScript + tfjs, no Lit. Pages, elements and tests import from here.
 */
import { createDetectorFor } from './detector.js';
import { LoupeError } from './errors.js';
import { getModelDescriptor, getModelIds } from '../models/registry.js';
import type { Detector, DetectorOptions } from './types.js';

export type * from './types.js';
export type { ModelDescriptor, DecodedFrame, InputSpec } from './model-descriptor.js';
export { LoupeError, type LoupeErrorType } from './errors.js';
export { setModelBaseUrl } from './detector.js';
export { summarizeResult } from './summary.js';
export { selectBackend } from './runtime/backend.js';
export { computeLetterbox, inputToSource } from './preprocess/letterbox.js';
export { getModelIds, getModelInfo, DEFAULT_MODEL_ID, type ModelInfo } from '../models/registry.js';
export { HeatmapRenderer, heatmapPlacement, colormapStops, type HeatmapPath } from './render/heatmap.js';

/**
 * Loads a registered model on the chosen backend (`'auto'` by default).
 * Rejects with `LoupeError` (`unknown-model`, `bad-option`, `backend-failed`, `model-load-failed`,
 * `model-mismatch`).
 */
export async function createDetector(options: DetectorOptions): Promise<Detector> {
  const descriptor = getModelDescriptor(options.model);
  if (!descriptor) {
    throw new LoupeError('unknown-model', `Unknown model '${options.model}'. Known: ${getModelIds().join(', ')}.`);
  }
  return createDetectorFor(descriptor, options);
}
