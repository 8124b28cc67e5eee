/**
 * Loupe's engine API: plain TypeScript + tfjs, no Lit. Pages, elements and tests import from here.
 */
import { createDetectorFor } from './detector.js';
import { LoupeError } from './errors.js';
import { getModelDescriptor, getModelIds } from '../models/registry.js';
import { modelSourceOf, urlModelDescriptor } from '../models/ultralytics/source.js';
import type { Detector, DetectorOptions } from './types.js';

export type * from './types.js';
export type { ModelDescriptor, DecodedFrame, InputSpec } from './model-descriptor.js';
export { LoupeError, type LoupeErrorType } from './errors.js';
export { setModelBaseUrl, loadedModels } from './detector.js';
export type { SharedEntryInfo } from './runtime/model-cache.js';
export { summarizeResult } from './summary.js';
export { ownMap } from './maps.js';
export { detectionsToJson, detectionsToCoco, downloadDetections, downloadBlob, type DetectionsExport, type CocoResult } from './export.js';
export { selectBackend, setWasmBaseUrl } from './runtime/backend.js';
export { whenBackendLost, isBackendLost, isBackendLostSoon } from './runtime/backend-loss.js';
export { computeLetterbox, inputToSource } from './preprocess/letterbox.js';
export { getModelIds, getModelInfo, DEFAULT_MODEL_ID, type ModelInfo } from '../models/registry.js';
export { modelSourceOf } from '../models/ultralytics/source.js';
export {
  HeatmapRenderer,
  heatmapPlacement,
  colormapStops,
  COLORMAP_NAMES,
  isColormapName,
  type ColormapName,
  type HeatmapPath,
} from './render/heatmap.js';

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
