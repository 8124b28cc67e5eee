/**
 * The messages between a page and Loupe's detector Worker (src/worker/proxy.ts ⇄ src/worker/serve.ts).
 * Everything here is structured-cloneable plain data: frames travel as transferred `ImageBitmap`s or
 * `VideoFrame`s (no pixel copy through JS arrays), results come back without GPU handles, and errors
 * as their `LoupeError` type and message, re-created on the other side.
 */
import { LoupeError, type LoupeErrorType } from '../errors.js';
import type { RunOptionRules } from '../detector.js';
import type { SharedEntryInfo } from '../runtime/model-cache.js';
import type {
  BackendReport,
  DetectionResult,
  DetectorOptions,
  DrawnWorkerMap,
  LoadPhase,
  RunOptions,
  RunOptionsPatch,
  SmallObjectsSetting,
  WarmUpReport,
  WorkerLevelMaps,
  WorkerMapDrawRequest,
  WorkerMapReadRequest,
} from '../types.js';

/** A frame as it crosses: a transferred bitmap or video frame, a cloned ImageData, or a tensor's values. */
export type WireFrame =
  | { kind: 'bitmap'; bitmap: ImageBitmap }
  | { kind: 'video-frame'; frame: VideoFrame }
  | { kind: 'image-data'; image: ImageData }
  | { kind: 'tensor'; values: Int32Array | Float32Array; shape: [number, number, number]; dtype: 'int32' | 'float32' };

/** The options that cross: everything of `DetectorOptions` but the callbacks, the fetch, the signal and the mode. */
export type WireDetectorOptions = Omit<DetectorOptions, 'onProgress' | 'onPhase' | 'fetch' | 'worker' | 'signal'>;

export type ToWorker =
  | { type: 'create'; id: number; options: WireDetectorOptions; progress: boolean; phase: boolean }
  | { type: 'detect'; id: number; detector: number; frame: WireFrame; call: { smallObjects?: SmallObjectsSetting; timestamp?: number; maps?: boolean; trace?: boolean } }
  | { type: 'set-options'; id: number; detector: number; patch: RunOptionsPatch }
  /** The page gave up the `create` with this id (`DetectorOptions.signal`). */
  | { type: 'abort'; id: number }
  | { type: 'dispose'; detector: number }
  | { type: 'memory'; id: number }
  /** Worker mode's maps (`DetectionResult.workerMaps`): draw one, read values, let them go. */
  | { type: 'draw-map'; id: number; handle: number; request: WorkerMapDrawRequest }
  | { type: 'read-map'; id: number; handle: number; request: WorkerMapReadRequest }
  | { type: 'release-maps'; handle: number }
  /** Answered (`lost`) only when the GPU context or device under the detector is lost in the Worker. */
  | { type: 'watch-loss'; id: number; detector: number };

/** What a created detector looks like from outside. */
export interface WireDetectorInfo {
  model: string;
  labels: string[];
  backend: BackendReport;
  inputSize: { width: number; height: number };
  warmUp?: WarmUpReport;
  runOptions: RunOptions;
  rules: RunOptionRules;
}

/** `DetectionResult` without `maps` and `dispose` (the GPU handles stay in the Worker). */
export type WireResult = Omit<DetectionResult, 'maps' | 'workerMaps' | 'dispose'>;

/** A result's maps as the page sees them: the Worker's handle for them and what each level holds. */
export interface WireMaps {
  handle: number;
  levels: WorkerLevelMaps[];
}

/** tfjs's memory in the Worker (`tf.memory()` there), and the models it holds. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  detectors: number;
  /** Results' maps the Worker holds for the page (`DetectionResult.workerMaps` not yet disposed). */
  heldMaps: number;
  /** On WASM: the size of the WASM module's heap (its linear memory) in the Worker, in bytes; else 0. */
  wasmHeap: number;
  /** The Worker's shared model cache (`loadedModels()` there): one entry per loaded model, with its users. */
  models: SharedEntryInfo[];
}

export interface WireError {
  /** The `LoupeError` type, when it was one. */
  type?: LoupeErrorType;
  message: string;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'created'; id: number; info: WireDetectorInfo }
  | { type: 'result'; id: number; result: WireResult; maps?: WireMaps }
  | { type: 'drawn'; id: number; drawn: DrawnWorkerMap }
  | { type: 'map-values'; id: number; values: Float32Array }
  | { type: 'done'; id: number }
  | { type: 'memory'; id: number; memory: WorkerMemory }
  | { type: 'failed'; id: number; error: WireError }
  | { type: 'lost'; id: number; error: WireError }
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'phase'; id: number; phase: LoadPhase; fraction: number };

export function errorToWire(error: unknown): WireError {
  if (error instanceof LoupeError) return { type: error.type, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error on this side: a `LoupeError` of the same type, or a plain `Error` for anything else. */
export function errorFromWire(wire: WireError): Error {
  return wire.type ? new LoupeError(wire.type, wire.message) : new Error(wire.message);
}

/** The plain-data part of a result, as it crosses (tracks included). */
export function resultToWire(result: DetectionResult): WireResult {
  const { maps: _maps, workerMaps: _workerMaps, dispose: _dispose, ...plain } = result;
  return plain;
}
