/**
 * Public types of the Loupe engine. Plain data only: nothing here imports tfjs at runtime,
 * so elements, pages and tests can share these shapes.
 */
import type * as tf from '@tensorflow/tfjs';

/** A tfjs backend Loupe knows how to pick. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** `'auto'` tries WebGPU, WebGL, WASM, then CPU, skipping software GPUs in favour of WASM. */
export type BackendPreference = 'auto' | BackendName;

/** A backend that `'auto'` (or a failed explicit choice) passed over, and why. */
export interface SkippedBackend {
  backend: BackendName;
  reason: string;
}

/** What backend selection decided: detail of the `loupe-backend` event. */
export interface BackendReport {
  backend: BackendName;
  skipped: SkippedBackend[];
  /** Human-readable description of the device (GPU adapter/renderer, or "CPU"). */
  device: string;
}

/** Everything a frame can come from. Tensors are RGB, HWC, values 0..255. */
export type FrameSource =
  | HTMLVideoElement
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | ImageData
  | VideoFrame
  | tf.Tensor3D;

/** One detected object, in **source pixel coordinates** (top-left origin), clipped to the source. */
export interface Detection {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
  /** 0-based class index of the model's label list. */
  classId: number;
  label: string;
}

/** Milliseconds per stage of one `detect()` call. See docs/architecture.md for what each covers. */
export interface StageTimings {
  preprocess: number;
  infer: number;
  decode: number;
  total: number;
}

/**
 * The letterbox that mapped the source frame into the model input:
 * `input = source · scale + pad` per axis (scaleX/scaleY differ by at most a rounding of one pixel).
 */
export interface LetterboxTransform {
  sourceWidth: number;
  sourceHeight: number;
  inputWidth: number;
  inputHeight: number;
  /** Size of the resized image inside the input, in input pixels. */
  contentWidth: number;
  contentHeight: number;
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/** Per-call options of `detect()`. */
export interface DetectCallOptions {
  /**
   * Return the model's maps (heatmap, regression) as GPU-resident handles. The caller then owns
   * them and must call `result.maps.dispose()` (or `result.dispose()`). Default false: the maps
   * are released inside `detect()`.
   */
  maps?: boolean;
}

/** A GPU-resident tensor handed to the caller, who owns it until `dispose()`. */
export interface MapHandle<R extends tf.Rank = tf.Rank> {
  /** The tensor; still on the backend that produced it. Never read back unless you ask. */
  readonly tensor: tf.Tensor<R>;
  /** Output stride: map cell (x, y) corresponds to model-input point (stride·x, stride·y). */
  readonly stride: number;
  /** Whether map cells sit at the cell's corner (stride·x, CenterNet) or centre ((x+0.5)·stride). */
  readonly cellOrigin: 'corner' | 'centre';
  readonly disposed: boolean;
  dispose(): void;
}

/** The model's own maps for overlays. CenterNet: `heatmap` [H, W, C] sigmoid scores, `ltrb` [H, W, 4] px. */
export interface DetectionMaps {
  heatmap?: MapHandle<tf.Rank.R3>;
  ltrb?: MapHandle<tf.Rank.R3>;
  dispose(): void;
}

/** What `detect()` returns. `detections` are plain data; `maps` stay on the GPU. */
export interface DetectionResult {
  detections: Detection[];
  timings: StageTimings;
  backend: BackendName;
  model: string;
  letterbox: LetterboxTransform;
  /** Present when `detect(source, { maps: true })`; owned by the caller. */
  maps?: DetectionMaps;
  /** Releases `maps` if present. Safe to call twice. */
  dispose(): void;
}

/** The result as sent in the `loupe-detections` event: the same without GPU handles. */
export type DetectionSummary = Omit<DetectionResult, 'maps' | 'dispose'>;

/** Load-time options of `createDetector()`. */
export interface DetectorOptions {
  /** Registry id of the model, e.g. `'centernet'`. */
  model: string;
  backend?: BackendPreference;
  /** Minimum score of a returned detection (0..1). */
  scoreThreshold?: number;
  /** At most this many detections (1..100 for CenterNet). */
  maxDetections?: number;
  /** Class-aware IoU NMS after decoding; `null`/absent: off, as in the model's reference decode. */
  nmsIouThreshold?: number | null;
  /**
   * Where model files are served from (a folder URL ending in `/`). Defaults to the global
   * `setModelBaseUrl()` value, else `/models/` on the page's origin.
   */
  modelBaseUrl?: string;
  /** Called with the download fraction 0..1 while the weights load. */
  onProgress?: (fraction: number) => void;
  /** Custom fetch for model files (e.g. reading files in Node). */
  fetch?: typeof fetch;
  /** Where the WASM backend's `.wasm` files are served from (a folder URL ending in `/`). */
  wasmPaths?: string;
}

/** A loaded detector. */
export interface Detector {
  readonly model: string;
  readonly labels: readonly string[];
  readonly backend: BackendReport;
  readonly inputSize: { width: number; height: number };
  detect(source: FrameSource, options?: DetectCallOptions): Promise<DetectionResult>;
  /** Change per-frame options without reloading. */
  setOptions(options: Partial<Pick<DetectorOptions, 'scoreThreshold' | 'maxDetections' | 'nmsIouThreshold'>>): void;
  dispose(): void;
}
