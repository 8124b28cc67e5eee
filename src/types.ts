/**
 * Public types of the Loupe engine. Plain data only: nothing here imports tfjs at runtime,
 * so elements, pages and tests can share these shapes.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LoupeError } from './errors.js';
import type { DetectionTile, SmallObjectsReport, SmallObjectsSetting } from './small-objects/types.js';
import type { TrackBox, TrackOptions, TrackState } from './track/types.js';

export type * from './small-objects/types.js';
export type { TrackOptions, MotionSettings, TrackState, TrackBox } from './track/types.js';

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
  /**
   * Where the engine runs: in Loupe's dedicated Worker (`DetectorOptions.worker`), or on the page's
   * main thread (also Node). Set by every detector `createDetector` makes.
   */
  thread?: 'worker' | 'main';
  /** On the main thread: why not in the Worker (`worker: false`, no Worker here, the Worker failed to start, …). */
  reason?: string;
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
  /** Which output cell produced it (level, cell, anchor) and that cell's prior point. */
  cell: DetectionCell;
  /** Small-object mode: the pass (scale, tile) that produced it. */
  tile?: DetectionTile;
  /**
   * With `track`: the id of the confirmed track this box continues (a positive integer, unique per
   * detector). Absent on a box no confirmed track has yet (a new object's first frame, a false box).
   */
  trackId?: number;
}

/** One track as a result reports it (`DetectionResult.tracks`); see docs/tracking.md. */
export interface TrackSummary {
  id: number;
  classId: number;
  label: string;
  /** `tentative` (seen once), `confirmed`, `lost` (box predicted), `removed` (only in `trackEvents.ended`). */
  state: TrackState;
  /** Filtered box (source px) at the frame's time: the matched detection smoothed, or the prediction when lost. */
  box: TrackBox;
  /** Centre velocity, source px per second. */
  velocity: { x: number; y: number };
  /** ms from the track's first box to its last. */
  age: number;
  /** Frames with a matched box. */
  hits: number;
  /** Timestamp (ms) of the last matched box. */
  lastSeen: number;
  /** Score of the last matched box. */
  score: number;
}

/**
 * Where in the model's output a detection came from. The prior point is the cell's anchor point
 * (CenterNet: its corner `(4x, 4y)`; NanoDet/YOLOv8: its centre), in source pixels.
 */
export interface DetectionCell {
  /** Index of the output level (0 for single-level models); NanoDet: 0 = stride 8, 1 = 16, 2 = 32. */
  level: number;
  /** Input pixels per cell at that level. */
  stride: number;
  /** Cell column and row in the level's grid. */
  x: number;
  y: number;
  /** Anchor index within the cell (YOLOv2); 0 for anchor-free heads. */
  anchor: number;
  /** The cell's prior point in source pixels. */
  priorX: number;
  priorY: number;
}

/**
 * The maps of one output level, on the GPU. `scores` [H, W, C] class scores (after sigmoid);
 * `regression` [H, W, R] the raw box regression (NanoDet: 44 = 4 sides × 11 bin logits, l, t, r, b);
 * `objectness` [H, W, A] per-anchor objectness (YOLOv2).
 */
export interface LevelMaps {
  stride: number;
  scores: MapHandle<tf.Rank.R3>;
  regression?: MapHandle<tf.Rank.R3>;
  objectness?: MapHandle<tf.Rank.R3>;
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
  /** Small-object mode for this call only (see `DetectorOptions.smallObjects`); absent: the detector's. */
  smallObjects?: SmallObjectsSetting;
  /**
   * With `track`: the frame's time in ms, for the tracker's motion model and track buffer. Absent: a
   * video's media time (`currentTime`), a `VideoFrame`'s timestamp, else `performance.now()`. A time
   * earlier than the last frame's starts the tracks over (a seek, a looping video).
   */
  timestamp?: number;
  /**
   * Also return this frame's decode as data (`result.trace`: the model's raw outputs, the decoder's
   * candidates, each NMS step, the kept rows before and after the letterbox mapping), for explainers
   * (`<loupe-explain>`). It is the decode `detect()` runs, so `result.detections` are the usual ones.
   * Costs a copy of the outputs (CenterNet: 5.3 MB). Runs the single pass (small-object mode is off for it).
   */
  trace?: boolean;
}

/** One candidate's turn in the model's greedy NMS: kept, or suppressed by a kept row with this IoU. */
export interface NmsTraceStep {
  /** Row index in `DecodeTrace.candidates`. */
  candidate: number;
  /** Row index (in `candidates`) of the kept row of the same class that suppressed it; null: kept. */
  suppressedBy: number | null;
  /** IoU with `suppressedBy`, in model-input pixels (0 when kept). */
  iou: number;
}

/**
 * One frame's decode as data (`detect(source, { trace: true })`). Rows are `ROW_WIDTH` (8) floats:
 * (x1, y1, x2, y2, score, classId, level, position), `position` the flat cell index in its level
 * ((y · width + x) · anchors + anchor).
 */
export interface DecodeTrace {
  /** The model's raw outputs for this frame, copied off the backend, in the model's output order. */
  outputs: { name: string; shape: number[]; values: Float32Array }[];
  /** The decoder's candidates in model-input pixels, sorted by score, before the score threshold. */
  candidates: Float32Array;
  /**
   * The frame's NMS, step by step (null without one, e.g. CenterNet). `space` `'input'`: the model's own
   * NMS, on the candidates in model-input pixels, before the first `maxDetections` are kept (NanoDet,
   * yolo-face-small, Ultralytics); `'frame'`: the optional NMS of a model without one (`nmsIouThreshold`,
   * e.g. yolo-face), after the score threshold, on the boxes mapped to the frame and clipped.
   */
  nms: { iouThreshold: number; space: 'input' | 'frame'; steps: NmsTraceStep[] } | null;
  /** The rows kept (the model's own NMS, then the first `maxDetections`), still in model-input pixels. */
  kept: Float32Array;
  /**
   * `kept` mapped through the letterbox to source pixels and clipped: what `detections` are made of
   * (bit for bit the rows of the same frame untraced: on GPU backends mapped there, as it does).
   */
  final: Float32Array;
  /** The options the frame ran with. */
  scoreThreshold: number;
  maxDetections: number;
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

/**
 * The model's own maps for overlays. CenterNet: `heatmap` [H, W, C] sigmoid scores, `ltrb` [H, W, 4] px
 * (and one entry in `levels` holding the same handles). Multi-level models (NanoDet): one `levels` entry
 * per stride; `heatmap` is the finest level's scores.
 */
export interface DetectionMaps {
  heatmap?: MapHandle<tf.Rank.R3>;
  ltrb?: MapHandle<tf.Rank.R3>;
  levels?: LevelMaps[];
  dispose(): void;
}

/** What `detect()` returns. `detections` are plain data; `maps` stay on the GPU. */
export interface DetectionResult {
  detections: Detection[];
  timings: StageTimings;
  backend: BackendName;
  model: string;
  letterbox: LetterboxTransform;
  /** The model's output levels, indexed by `Detection.cell.level`. */
  levels: readonly OutputLevel[];
  /** Present when `detect(source, { maps: true })` ran on this thread; owned by the caller. */
  maps?: DetectionMaps;
  /**
   * Worker mode's `maps`: present instead of them when `detect(source, { maps: true })` ran in Loupe's
   * Worker, where the maps stay; a handle that draws or reads them there (docs/worker.md). Owned by the
   * caller: `dispose()` (or `result.dispose()`) lets the Worker free them.
   */
  workerMaps?: WorkerMaps;
  /** Model passes this result cost (1 in single-pass mode; whole frame + tiles in small-object mode). */
  executions?: number;
  /** How the frame became the model input (see `FrameIngest`). */
  ingest?: 'canvas' | 'tensor';
  /** Small-object mode: the frame's tiles, which of them ran, and the options in effect. */
  smallObjects?: SmallObjectsReport;
  /** With `track`: every live track (tentative, confirmed, lost) after this frame, oldest first. */
  tracks?: TrackSummary[];
  /** With `track`: the frame's time (ms) the tracker placed the tracks at (`detect(…, { timestamp })` or its default). */
  trackTime?: number;
  /** With `track`: tracks confirmed in this frame, and confirmed tracks that ended (lost too long, a seek). */
  trackEvents?: { started: TrackSummary[]; ended: TrackSummary[] };
  /** With `detect(source, { trace: true })`: this frame's decode as data (plain arrays, nothing to dispose). */
  trace?: DecodeTrace;
  /** Releases `maps` (or `workerMaps`) if present. Safe to call twice. */
  dispose(): void;
}

/** The maps one output level has, as `WorkerMaps` describes them: shapes [H, W, channels]. */
export interface WorkerLevelMaps {
  stride: number;
  cellOrigin: 'corner' | 'centre';
  /** [H, W, C] class scores. */
  scores: [number, number, number];
  /** [H, W, R] regression (see the model's `RegressionSpec`), when the level has it. */
  regression?: [number, number, number];
  /** [H, W, A] per-anchor objectness (YOLOv2), when the level has it. */
  objectness?: [number, number, number];
}

/** Which map of a level: its class scores, its regression, or its per-anchor objectness. */
export type WorkerMapName = 'scores' | 'regression' | 'objectness';

/** What `WorkerMaps.draw` colour-maps: one level's scores (max over classes, or one class), or one objectness channel. */
export interface WorkerMapDrawRequest {
  /** Index into `levels`. */
  level: number;
  /** Default `scores`. */
  map?: 'scores' | 'objectness';
  /** With `map: 'objectness'`: the anchor (channel) to draw. */
  channel?: number;
  /** One class of the scores; null/absent: the maximum over classes. */
  classId?: number | null;
  /** Colour map name (`COLORMAP_NAMES`; default `inferno`). */
  colormap?: string;
  /** Also read the drawn map's highest value (`DrawnWorkerMap.peak`, one float: `mapPeak`). */
  peak?: boolean;
}

/** A map drawn in the Worker (with the engine's `HeatmapRenderer`, from where the map lies). */
export interface DrawnWorkerMap {
  /** The colour-mapped map at its own resolution (W × H), transferred to this thread: `close()` it when done. */
  bitmap: ImageBitmap;
  /** Where it goes, in source pixels (`heatmapPlacement()` of the map and the result's letterbox). */
  placement: { x: number; y: number; width: number; height: number };
  /** The renderer's path in the Worker; `webgl-texture` pixels are premultiplied on black (blend with `screen`). */
  path: 'webgpu-render' | 'webgl-texture' | 'cpu-8bit';
  /** Channels of the drawn map (the class count for scores). */
  channels: number;
  /** With `peak` asked: the highest value drawn. */
  peak?: number;
}

/** What `WorkerMaps.read` copies to this thread: a whole map, or the channels at one cell. */
export interface WorkerMapReadRequest {
  level: number;
  map: WorkerMapName;
  /** One cell (grid x, y): its channels only (a few floats); absent: the whole map, H·W·C floats. */
  cell?: { x: number; y: number };
}

/**
 * The maps of one result of a detector in Loupe's Worker (`DetectionResult.workerMaps`): they stay in the
 * Worker, on its backend; this handle asks for what a page needs of them. Every reference (`retain()`)
 * is disposed once; the Worker frees the maps when the last one is.
 */
export interface WorkerMaps {
  /** The result's output levels and the maps each has (what `detect()`'s `maps.levels` would hold). */
  readonly levels: readonly WorkerLevelMaps[];
  readonly disposed: boolean;
  /** Colour-maps one map in the Worker and sends it as an `ImageBitmap` (H·W pixels cross, no map values). */
  draw(request: WorkerMapDrawRequest): Promise<DrawnWorkerMap>;
  /** Copies values to this thread: one cell's channels, or a whole map (H·W·C·4 bytes read off its backend). */
  read(request: WorkerMapReadRequest): Promise<Float32Array>;
  /** A second reference, disposable on its own. */
  retain(): WorkerMaps;
  dispose(): void;
}

/** One output level of a model: a grid of cells at one stride (CenterNet: one; NanoDet: 8/16/32). */
export interface OutputLevel {
  /** Input pixels per cell. */
  stride: number;
  /** Grid size in cells. */
  width: number;
  height: number;
  /** Predictions per cell (YOLOv2 anchors); 1 for anchor-free heads. */
  anchors: number;
  /**
   * Where a cell's prior point lies: on the point `(s·x, s·y)` with the cell centred on it (CenterNet),
   * or at the centre `((x+0.5)·s, (y+0.5)·s)` of the square `[s·x, s·(x+1))` (FCOS/GFL, YOLO).
   */
  cellOrigin: 'corner' | 'centre';
}

/** The result as sent in the `loupe-detections` event: the same without GPU handles. */
export type DetectionSummary = Omit<DetectionResult, 'maps' | 'workerMaps' | 'dispose' | 'trace'>;

/**
 * A model loaded from a URL instead of the registry. `ultralytics`: a `yolo export format=tfjs` folder's
 * `model.json` (its `metadata.yaml` beside it is read when present); see docs/ultralytics.md.
 */
export interface ModelSource {
  /** URL of `model.json`; relative URLs resolve against the page. */
  url: string;
  format: 'ultralytics';
}

/** Load-time options of `createDetector()`. */
/**
 * How a browser frame becomes the model input. `'canvas'`: the browser draws it scaled into a
 * model-sized canvas, only those pixels are read and written as the graph's input in one pass (no tfjs
 * op before the model; 8-bit bilinear resampling by the browser). `'tensor'`: the whole frame becomes a
 * tensor and is resampled and normalised on the backend (tfjs's half-pixel bilinear, in float; on
 * WebGL/WebGPU the frame goes to the GPU without a CPU copy). `'auto'` (default): canvas on WASM and CPU,
 * tensor on WebGL and WebGPU. Tensor sources and models with their own preprocessing always take the
 * tensor path.
 */
export type FrameIngest = 'auto' | 'canvas' | 'tensor';

export interface DetectorOptions {
  /** Registry id of the model, e.g. `'centernet'`, `'ultralytics:<url of model.json>'`, or a `ModelSource`. */
  model: string | ModelSource;
  backend?: BackendPreference;
  /** Minimum score of a returned detection (0..1). */
  scoreThreshold?: number;
  /** At most this many detections (1..100 for CenterNet). */
  maxDetections?: number;
  /**
   * Square model input size in pixels, for models that take several (e.g. the YOLO face detector: any
   * multiple of 32). Absent: the model's default. A fixed-size model rejects it with `bad-option`.
   */
  inputSize?: number;
  /**
   * IoU of class-aware NMS. Models whose reference decode includes NMS (NanoDet, dense Ultralytics
   * layouts): overrides its IoU; `null` = the reference IoU. Other models: an extra NMS on the decoded
   * rows; `null` = off. Absent: the model's default.
   */
  nmsIouThreshold?: number | null;
  /**
   * Small-object mode (image pyramid and tiles, docs/small-objects.md): `true`, a preset (`'full'`,
   * `'live'`: at most 4 passes a frame) or options; absent/`false`: one pass.
   */
  smallObjects?: SmallObjectsSetting;
  /** How frames become the model input (see `FrameIngest`); default `'auto'`. */
  ingest?: FrameIngest;
  /**
   * Rectangular model inputs for models that allow them (CenterNet, NanoDet): a frame is letterboxed
   * into the smallest input that holds it in steps of 32 px (a 4:3 frame: 512 × 384 instead of
   * 512 × 512, a quarter less to compute) instead of the model's square. Faster, but not what the
   * models were evaluated with: on coco-dev it cost 1.2 AP (CenterNet) and 0.5 AP (NanoDet)
   * (docs/performance.md). Default false: the square input of the models' reference decode.
   */
  rectInput?: boolean;
  /**
   * Where model files are served from (a folder URL ending in `/`). Defaults to the global
   * `setModelBaseUrl()` value, else `/models/` on the page's origin.
   */
  modelBaseUrl?: string;
  /** Called with the download fraction 0..1 while the weights load (the download only: see `onPhase`). */
  onProgress?: (fraction: number) => void;
  /**
   * Called with each loading phase and its own fraction 0..1: `('download', f)` as the weights arrive
   * (the same fractions as `onProgress`), then, on WebGL and WebGPU with `warmUp`, `('compile', f)` from 0
   * to 1 while the model's GPU programs compile. The compile fraction counts programs done where the
   * backend says (WebGL with `KHR_parallel_shader_compile`, WebGPU); elsewhere it goes from 0 to 1.
   */
  onPhase?: (phase: LoadPhase, fraction: number) => void;
  /**
   * Warm-up at load (WebGL and WebGPU): before `createDetector()` resolves, compile the GPU programs of
   * one frame — preprocessing (of a 640×480 frame), the model, the decoder, NMS — without running them,
   * in parallel where the backend can (`KHR_parallel_shader_compile`, WebGPU's async pipelines), so the
   * first `detect()` does not spend its time compiling shaders. Once per loaded model: detectors that
   * share a model share its warm-up. Models that cannot be compiled without running (custom loaders,
   * `executeAsync` graphs) run one zero frame instead. Default true, except WebGPU on SwiftShader,
   * where compiling ahead made the first result later (measured: docs/performance.md); nothing to do
   * (ignored) on WASM and CPU. See `Detector.warmUp` for what it did.
   */
  warmUp?: boolean;
  /**
   * Multi-object tracking (docs/tracking.md): `true` or `TrackOptions` give every detection of a confirmed
   * track a stable `trackId` and the result its `tracks`. The model then runs down to the tracker's
   * `lowScore`; `detections` keep the boxes at or above `scoreThreshold` plus the weaker ones that continue
   * a track. Default off.
   */
  track?: boolean | TrackOptions;
  /** Custom fetch for model files (e.g. reading files in Node). */
  fetch?: typeof fetch;
  /**
   * Gives up the load: when it aborts before `createDetector()` resolves, the promise rejects with
   * `LoupeError('aborted')`. Detectors sharing the load carry on; when the last one gives up, the
   * downloads stop and nothing of the model stays (`loadedModels()` no longer lists it).
   */
  signal?: AbortSignal;
  /**
   * Milliseconds the model files may go without sending a byte before the load fails with
   * `model-load-failed` (a server that never answers). Every byte resets it, so slow downloads are not
   * cut. Default 30 000; 0: wait forever.
   */
  loadTimeout?: number;
  /** Where the WASM backend's `.wasm` files are served from (a folder URL ending in `/`). */
  wasmPaths?: string;
  /**
   * Run the engine in Loupe's dedicated module Worker, off the page's main thread (docs/worker.md):
   * `true` requires it (`backend-failed` when the Worker or its backend cannot start), `'auto'` uses it
   * where it can and otherwise runs on the main thread, saying why in `backend.reason`; `false`
   * (default) runs on the main thread. One Worker per page, shared by all its detectors. Read by
   * `createDetector` (models/index.ts); `createDetectorFor` always runs where it is called.
   */
  worker?: WorkerMode;
}

/** `DetectorOptions.worker`. */
export type WorkerMode = 'auto' | boolean;

/** A phase of `createDetector()`'s loading (see `DetectorOptions.onPhase`). */
export type LoadPhase = 'download' | 'compile';

/** What the warm-up at load did (`DetectorOptions.warmUp`). */
export interface WarmUpReport {
  /**
   * `compile`: the programs were compiled without running (compile-only, parallel where the backend
   * can); `run`: one zero frame ran through the pipeline instead; `none`: no warm-up (WASM, CPU, or
   * `warmUp: false`).
   */
  mode: 'compile' | 'run' | 'none';
  /** Programs (WebGL) or pipelines (WebGPU) the compile-only pass added; 0 for `run` and `none`. */
  programs: number;
  /** Milliseconds the warm-up took (the first detector's wait; shared by later ones). */
  ms: number;
  /** Why a compile-only warm-up fell back to `run`, when it did. */
  fallback?: string;
}

/** A loaded detector. */
/** Per-frame options, as in effect on a detector. */
export interface RunOptions {
  scoreThreshold: number;
  maxDetections: number;
  nmsIouThreshold: number | null;
}

/** A change of per-frame options (`Detector.setOptions`). */
export interface RunOptionsPatch {
  scoreThreshold?: number | null;
  maxDetections?: number | null;
  nmsIouThreshold?: number | null;
  smallObjects?: SmallObjectsSetting;
}

export interface Detector {
  readonly model: string;
  readonly labels: readonly string[];
  readonly backend: BackendReport;
  readonly inputSize: { width: number; height: number };
  /** What the warm-up at load did (`DetectorOptions.warmUp`). */
  readonly warmUp?: WarmUpReport;
  detect(source: FrameSource, options?: DetectCallOptions): Promise<DetectionResult>;
  /** The per-frame options in effect (the model's defaults where none was set). */
  readonly runOptions: Readonly<RunOptions>;
  /**
   * Change per-frame options without reloading. `undefined` keeps a value; `null` for `scoreThreshold`
   * or `maxDetections` goes back to the model's default (for `nmsIouThreshold`, null turns NMS off).
   * Throws `LoupeError('bad-option')` for a value out of range and then changes nothing.
   */
  setOptions(options: RunOptionsPatch): void;
  /**
   * Resolves with a `backend-lost` LoupeError when the GPU context or device this detector's model lives
   * on is lost, wherever it runs (in worker mode: inside Loupe's Worker, or the Worker itself stopping);
   * never settles on WASM and CPU. After it, load the model again (a new context or device is built).
   */
  whenLost(): Promise<LoupeError>;
  dispose(): void;
}
