/**
 * Loupe's engine API: plain TypeScript + tfjs, no Lit, no model knowledge. It runs any `ModelDescriptor`
 * (`createDetectorFor`); the model-aware façade (`createDetector({ model: 'centernet' })`, the registry,
 * Ultralytics exports from a URL) is `models/index.ts`, which re-exports all of this.
 */

export type * from './types.js';
export type { ModelDescriptor, DecodedFrame, InputSpec } from './model-descriptor.js';
export { LoupeError, type LoupeErrorType } from './errors.js';
export { createDetectorFor, setModelBaseUrl, loadedModels } from './detector.js';
export type { SharedEntryInfo } from './runtime/model-cache.js';
export { summarizeResult } from './summary.js';
export { workerMemory } from './worker/proxy.js';
export type { WorkerMemory } from './worker/protocol.js';
export { ownMap } from './maps.js';
export { detectionsToJson, detectionsToCoco, downloadDetections, downloadBlob, type DetectionsExport, type CocoResult } from './export.js';
export { detectVideoFrames, type VideoPassOptions, type VideoPassFrame } from './track/video-pass.js';
export { tracksToMot, tracksToJson, motBoxesOf, type MotBox, type TrackedFrameRecord, type TracksExport } from './track/export.js';
export { predictTracked, MAX_PREDICTION_MS, type PredictedFrame } from './track/predict.js';
export { selectBackend, setWasmBaseUrl } from './runtime/backend.js';
export { isGpuBackend, checkBackendPreference, BACKEND_PREFERENCES } from './runtime/backend-kind.js';
export { whenBackendLost, isBackendLost, isBackendLostSoon } from './runtime/backend-loss.js';
export { computeLetterbox, inputToSource } from './preprocess/letterbox.js';
export {
  HeatmapRenderer,
  heatmapPlacement,
  mapPeak,
  colormapStops,
  COLORMAP_NAMES,
  isColormapName,
  type ColormapName,
  type HeatmapPath,
} from './render/heatmap.js';
