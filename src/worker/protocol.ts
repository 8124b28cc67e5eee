/**
 * The messages between a page and Loupe's detector Worker (src/worker/proxy.ts ⇄ src/worker/serve.ts).
 * Everything here is structured-cloneable plain data: frames travel as transferred `ImageBitmap`s or
 * `VideoFrame`s (no pixel copy through JS arrays), results come back without GPU handles, and errors
 * as their `LoupeError` type and message, re-created on the other side.
 */
import { LoupeError, type LoupeErrorType } from '../errors.js';
import type { RunOptionRules } from '../detector.js';
import type {
  BackendReport,
  DetectionResult,
  DetectorOptions,
  LoadPhase,
  RunOptions,
  RunOptionsPatch,
  SmallObjectsSetting,
  WarmUpReport,
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
  | { type: 'detect'; id: number; detector: number; frame: WireFrame; call: { smallObjects?: SmallObjectsSetting; timestamp?: number } }
  | { type: 'set-options'; id: number; detector: number; patch: RunOptionsPatch }
  /** The page gave up the `create` with this id (`DetectorOptions.signal`). */
  | { type: 'abort'; id: number }
  | { type: 'dispose'; detector: number }
  | { type: 'memory'; id: number };

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
export type WireResult = Omit<DetectionResult, 'maps' | 'dispose'>;

/** tfjs's memory in the Worker (`tf.memory()` there), and the models it holds. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  detectors: number;
}

export interface WireError {
  /** The `LoupeError` type, when it was one. */
  type?: LoupeErrorType;
  message: string;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'created'; id: number; info: WireDetectorInfo }
  | { type: 'result'; id: number; result: WireResult }
  | { type: 'done'; id: number }
  | { type: 'memory'; id: number; memory: WorkerMemory }
  | { type: 'failed'; id: number; error: WireError }
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
  const { maps: _maps, dispose: _dispose, ...plain } = result;
  return plain;
}
