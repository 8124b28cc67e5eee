/**
 * The detection pipeline: source → preprocess (letterbox) → model → decoder → postprocess → result.
 * GPU backends (WebGL, WebGPU): everything up to the final rows runs on the GPU; the only readback on
 * the frame path is one asynchronous `data()` of the K rows ([K, 8] float32, 3.2 KB for K = 100).
 * CPU backends (WASM, CPU): the browser draws the frame into a model-sized canvas and one pass over its
 * pixels writes the model input; the model's outputs are decoded in JS where they lie (no copy).
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError, asLoupeError } from './errors.js';
import { ROW_WIDTH, type ModelDescriptor, type RunnableModel } from './model-descriptor.js';
import { bundleMaps } from './maps.js';
import { decodeOutputs, executeModel, modelNmsIou, preprocessFrame, rowsToDetections } from './pipeline.js';
import { NMS_FIRST_CANDIDATES, finishOnBackend, readFinalRows } from './postprocess/final-rows.js';
import { classAwareNms, suppressRows, type NmsStep } from './postprocess/nms.js';
import { unletterboxRows } from './postprocess/unletterbox.js';
import { canvasIngest } from './preprocess/canvas-letterbox.js';
import { checkFrame, frameToTensor } from './preprocess/frame.js';
import { isSwiftShaderWebGpu, selectBackend } from './runtime/backend.js';
import { whenBackendLost } from './runtime/backend-loss.js';
import { checkBackendPreference, isGpuBackend } from './runtime/backend-kind.js';
import { hostOutputs } from './runtime/host-values.js';
import { checkedFetch, isCompilable, loadContext, loadGraph, watchLoad } from './runtime/load-graph.js';
import { levelsFor } from './runtime/rect-input.js';
import { SharedCache, type SharedEntryInfo, type SharedHandle } from './runtime/model-cache.js';
import { canCompileOnly, compileOnly, compileInProgress } from './runtime/warm-up.js';
import { resolveSmallObjects } from './small-objects/plan.js';
import { detectSmallObjects, type BatchState } from './small-objects/run.js';
import type { SmallObjectsOptions } from './small-objects/types.js';
import { trackOptionsOf, withTracking } from './track/with-tracking.js';
import type {
  BackendReport,
  DetectCallOptions,
  LetterboxTransform,
  DecodeTrace,
  DetectionResult,
  Detector,
  DetectionMaps,
  DetectorOptions,
  FrameIngest,
  FrameSource,
  LoadPhase,
  NmsTraceStep,
  RunOptions,
  RunOptionsPatch,
  WarmUpReport,
} from './types.js';

let globalModelBaseUrl: string | undefined;

/** Sets the folder URL every detector loads model files from unless it gets `modelBaseUrl`. */
export function setModelBaseUrl(url: string | undefined): void {
  globalModelBaseUrl = url;
}

const NOT_FOLDERS = ['data:', 'blob:', 'javascript:'];

/** The model base as given: `baseUrl`, else the `setModelBaseUrl()` one, else `/models/` on the page's origin. */
function modelBase(baseUrl: string | undefined): string {
  const base = baseUrl ?? globalModelBaseUrl ?? (typeof document !== 'undefined' ? new URL('/models/', document.baseURI).href : undefined);
  if (!base) throw new LoupeError('model-load-failed', 'No model base URL: pass `modelBaseUrl` (outside a browser there is no page to resolve against).');
  return base;
}

/**
 * The folder model files load from, ending in `/`; absolute (resolved against the page) where there is
 * a page: what a detector in a Worker is handed (src/worker/proxy.ts). A value that is no URL goes as
 * it is, for `resolveModelUrl` to refuse where the model loads.
 */
export function modelFolderUrl(baseUrl: string | undefined): string {
  const base = modelBase(baseUrl);
  const folder = base.endsWith('/') ? base : `${base}/`;
  if (typeof document === 'undefined') return folder;
  try {
    return new URL(folder, document.baseURI).href;
  } catch {
    return folder;
  }
}

function resolveModelUrl(descriptor: ModelDescriptor, baseUrl: string | undefined): string {
  const base = modelBase(baseUrl);
  const folder = base.endsWith('/') ? base : `${base}/`;
  let url: URL | undefined;
  try {
    // A relative folder (`model-base-url="/models/"`, `"./weights/"`) is relative to the page.
    url = new URL(descriptor.graphFile, typeof document !== 'undefined' ? new URL(folder, document.baseURI) : folder);
  } catch {
    // `http://[::1` (not a URL), `javascript:x//` (no folder to resolve a file name in).
  }
  // `data:`, `blob:` and `javascript:` URLs name one resource, never a folder of model files.
  if (!url || NOT_FOLDERS.includes(url.protocol)) {
    throw new LoupeError('bad-option', `The model base URL '${base}' is not a folder URL that '${descriptor.graphFile}' can be found in; use e.g. '/models/' or 'https://example.org/models/'.`);
  }
  return url.href;
}
/** What validating per-frame options needs of a model: its defaults and its limit on detections. */
export type RunOptionRules = Pick<ModelDescriptor, 'defaults' | 'maxDetectionsLimit'>;

/**
 * The rules `setOptions` of a detector made by `createDetectorFor` validates with, so a detector that
 * lives elsewhere (in a Worker, src/worker/) can be validated synchronously on the caller's side.
 */
const optionRules = new WeakMap<Detector, RunOptionRules>();
export function runOptionRulesOf(detector: Detector): RunOptionRules | undefined {
  return optionRules.get(detector);
}

/** Which thread this code runs on (Node counts as the main thread). */
export function currentThread(): 'worker' | 'main' {
  const scope = (globalThis as { WorkerGlobalScope?: abstract new () => object }).WorkerGlobalScope;
  return scope !== undefined && globalThis instanceof scope ? 'worker' : 'main';
}

/**
 * The one validator of per-frame options (the elements show its `LoupeError`): `current` patched with
 * `patch`, where `undefined` keeps a value and `null` goes back to the model's default.
 */
export function validateRunOptions(descriptor: RunOptionRules, current: RunOptions, patch: Omit<RunOptionsPatch, 'smallObjects'>): RunOptions {
  const next = { ...current };
  if (patch.scoreThreshold === null) next.scoreThreshold = descriptor.defaults.scoreThreshold;
  else if (patch.scoreThreshold !== undefined) {
    if (!(patch.scoreThreshold >= 0 && patch.scoreThreshold <= 1)) {
      throw new LoupeError('bad-option', `scoreThreshold must be between 0 and 1; got ${patch.scoreThreshold}.`);
    }
    next.scoreThreshold = patch.scoreThreshold;
  }
  if (patch.maxDetections === null) next.maxDetections = descriptor.defaults.maxDetections;
  else if (patch.maxDetections !== undefined) {
    const limit = descriptor.maxDetectionsLimit;
    if (!(Number.isInteger(patch.maxDetections) && patch.maxDetections >= 1 && patch.maxDetections <= limit)) {
      throw new LoupeError('bad-option', `maxDetections must be a whole number from 1 to ${limit}; got ${patch.maxDetections}.`);
    }
    next.maxDetections = patch.maxDetections;
  }
  if (patch.nmsIouThreshold !== undefined) {
    const iou = patch.nmsIouThreshold;
    if (iou !== null && !(iou > 0 && iou <= 1)) {
      throw new LoupeError('bad-option', `nmsIouThreshold must be in (0, 1] or null (off); got ${iou}.`);
    }
    next.nmsIouThreshold = iou;
  }
  return next;
}

/** `DetectorOptions.loadTimeout` by default: 30 s without a byte of the model files. */
const DEFAULT_LOAD_TIMEOUT_MS = 30_000;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * The frame the warm-up feeds through the pipeline: 640×480 zeros (the commonest camera size, so its
 * letterbox programs are compiled too; the model's and decoder's programs do not depend on it).
 */
const WARM_UP_FRAME = { width: 640, height: 480 } as const;

class GraphDetector implements Detector {
  readonly model: string;
  readonly labels: readonly string[];
  readonly inputSize: { width: number; height: number };
  private options: RunOptions;
  private disposed = false;
  /** Small-object mode (`src/small-objects/`): its options, or null when off. */
  private smallObjects: SmallObjectsOptions | null = null;
  private readonly batchState: BatchState = { batch: 'unknown' };
  /** What the warm-up at load did (set by `createDetectorFor` before it hands the detector out). */
  warmUp: WarmUpReport = { mode: 'none', programs: 0, ms: 0 };
  /** The loss of the backend instance active at creation, the one the model was loaded on. */
  private readonly lost = whenBackendLost();

  constructor(
    private readonly descriptor: ModelDescriptor,
    private readonly runnable: RunnableModel,
    readonly backend: BackendReport,
    options: RunOptions,
    private readonly ingest: FrameIngest,
    /** `rectInput` models with rectangular inputs on: the step of the input sizes; else undefined (square). */
    private readonly rectMultiple: number | undefined,
  ) {
    this.model = descriptor.id;
    this.labels = descriptor.labels;
    this.inputSize = { width: descriptor.input.width, height: descriptor.input.height };
    this.options = options;
  }

  get runOptions(): Readonly<RunOptions> {
    return this.options;
  }

  whenLost(): Promise<LoupeError> {
    return this.lost;
  }

  setOptions(patch: RunOptionsPatch): void {
    const { smallObjects, ...rest } = patch;
    const small = smallObjects === undefined ? this.smallObjects : resolveSmallObjects(smallObjects);
    this.options = validateRunOptions(this.descriptor, this.options, rest);
    this.smallObjects = small;
  }

  async detect(source: FrameSource, call: DetectCallOptions = {}): Promise<DetectionResult> {
    if (this.disposed) throw new LoupeError('disposed', `The '${this.model}' detector was disposed.`);
    // The input gate: a frame, or a bad-input, before any tfjs op.
    const frame = checkFrame(source);
    // A compile-only warm-up of another model on this backend leaves programs unusable until it has
    // finished compiling them: a frame that met one of them would fail.
    const compiling = isGpuBackend(this.backend.backend) ? compileInProgress() : null;
    if (compiling) await compiling;
    if (this.disposed) throw new LoupeError('disposed', `The '${this.model}' detector was disposed.`);
    const { descriptor } = this;
    const options = this.options;
    const small = call.smallObjects === undefined ? this.smallObjects : resolveSmallObjects(call.smallObjects);
    if (small && call.trace !== true) {
      const context = { descriptor, runnable: this.runnable, backend: this.backend.backend, state: this.batchState, rectMultiple: this.rectMultiple };
      return detectSmallObjects(context, frame, options, small, call);
    }
    const start = now();

    // Source → letterboxed model input, [1, H, W, 3] (or the model's own layout and value range): drawn
    // by the browser into a model-sized canvas on CPU backends, else the frame as a tensor, resampled on
    // the backend.
    let input: tf.Tensor;
    let letterbox: LetterboxTransform;
    let drawn: { input: tf.Tensor; letterbox: LetterboxTransform } | null;
    try {
      drawn = canvasIngest(descriptor, frame, this.backend.backend, this.ingest, this.rectMultiple);
    } catch (error) {
      // A closed ImageBitmap, a cross-origin image without CORS (tainted canvas), …
      throw asLoupeError(error, 'bad-input', 'Reading the frame failed');
    }
    if (drawn) {
      ({ input, letterbox } = drawn);
    } else {
      const pixels = await frameToTensor(frame);
      try {
        ({ input, letterbox } = preprocessFrame(descriptor, pixels.tensor, this.rectMultiple));
      } finally {
        if (pixels.owned) pixels.tensor.dispose();
      }
    }
    const preprocessed = now();

    // Model: only the nodes the decoder needs are computed (not a graph's own decode branch).
    const outputs = await executeModel(this.runnable, input, this.model);
    const inferred = now();

    // Decode (+ the model's own NMS) + unletterbox. GPU backends: on the GPU, then one async read of the
    // final rows. CPU backends: the outputs are in main memory already, so the descriptor's JS decode
    // reads them in place when it has one (else its tfjs decode and one read of the rows), then NMS
    // and unletterbox in JS.
    // The model's own NMS (descriptor.nms): its reference IoU unless the caller set `nmsIouThreshold`.
    const ownNmsIou = modelNmsIou(descriptor, options.nmsIouThreshold);
    const onGpu = isGpuBackend(this.backend.backend);
    const host = !onGpu && descriptor.hostDecode ? hostOutputs(outputs) : null;
    let maps: DetectionMaps;
    let values: Float32Array;
    let trace: DecodeTrace | undefined;
    if (call.trace === true) {
      ({ trace, maps } = await this.traceDecode(outputs, letterbox, options, ownNmsIou, call.maps === true));
      values = trace.final;
    } else if (host && descriptor.hostDecode) {
      try {
        // Plain JS first: the views into WASM memory are valid only until the next tfjs call.
        const inputSize = { width: letterbox.inputWidth, height: letterbox.inputHeight };
        const rows = descriptor.hostDecode.rows(host, { maxDetections: options.maxDetections, scoreThreshold: options.scoreThreshold, inputSize });
        values = this.finishOnHost(rows, ownNmsIou, letterbox, options);
        maps = bundleMaps(call.maps === true ? descriptor.hostDecode.maps(outputs, { maxDetections: options.maxDetections, inputSize }) : {});
      } finally {
        for (const t of outputs) t.dispose();
      }
    } else {
      const decoded = decodeOutputs(descriptor, outputs, options.maxDetections, { width: letterbox.inputWidth, height: letterbox.inputHeight });
      maps = bundleMaps(decoded.maps);
      try {
        values =
          ownNmsIou !== null && !onGpu
            ? this.finishOnHost(await this.readAll(decoded.rows), ownNmsIou, letterbox, options)
            : await this.readRows(decoded.rows, letterbox, options, ownNmsIou);
      } catch (error) {
        maps.dispose();
        throw asLoupeError(error, 'backend-failed', 'Reading detections back failed');
      }
    }
    const decodedAt = now();

    // Which row of `values` each detection is (the trace links NMS steps to its candidates).
    const rowOfDetection: number[] | undefined = trace ? [] : undefined;
    let detections = rowsToDetections(values, ROW_WIDTH, descriptor, options.scoreThreshold, letterbox, rowOfDetection);
    // Models without NMS of their own: optional class-aware NMS on the K rows read back.
    if (!descriptor.nms && options.nmsIouThreshold !== null) {
      const steps: NmsStep[] | undefined = trace ? [] : undefined;
      detections = classAwareNms(detections, options.nmsIouThreshold, steps);
      if (trace && steps && rowOfDetection) {
        // `values` are the first rows of the candidates, in order (no NMS before this one).
        const row = (index: number): number => rowOfDetection[index]!;
        trace.nms = {
          iouThreshold: options.nmsIouThreshold,
          space: 'frame',
          steps: steps.map((step) => ({ candidate: row(step.candidate), suppressedBy: step.suppressedBy === null ? null : row(step.suppressedBy), iou: step.iou })),
        };
      }
    }
    const end = now();

    const keepMaps = call.maps === true;
    if (!keepMaps) maps.dispose();
    const result: DetectionResult = {
      detections,
      timings: { preprocess: preprocessed - start, infer: inferred - preprocessed, decode: decodedAt - inferred, total: end - start },
      backend: this.backend.backend,
      model: this.model,
      letterbox,
      levels: levelsFor(descriptor, letterbox),
      executions: 1,
      ingest: drawn ? 'canvas' : 'tensor',
      dispose: () => maps.dispose(),
    };
    if (keepMaps) result.maps = maps;
    if (trace) result.trace = trace;
    return result;
  }

  /**
   * `detect(…, { trace: true })`: the decode of the CPU path, on copies of the outputs (read off any
   * backend), keeping what each stage produced: the decoder's candidates without the score threshold
   * (the thresholded frame's rows are their prefix), each NMS step, the kept rows, the final rows.
   * Takes ownership of `outputs` ([1, …] raw model outputs).
   */
  private async traceDecode(outputs: tf.Tensor[], letterbox: LetterboxTransform, options: RunOptions, nmsIou: number | null, keepMaps: boolean): Promise<{ trace: DecodeTrace; maps: DetectionMaps }> {
    const { descriptor } = this;
    const inputSize = { width: letterbox.inputWidth, height: letterbox.inputHeight };
    const onGpu = isGpuBackend(this.backend.backend);
    let copies: DecodeTrace['outputs'];
    let candidates: Float32Array;
    // The final rows are made the way the untraced frame makes them, so they are its rows bit for bit:
    // in JS on CPU backends where it decodes (or suppresses) in JS, else on the backend (GPU NMS and
    // unletterbox in float32); `null` here: in JS below.
    let backendFinal: Float32Array | null = null;
    let maps: DetectionMaps | undefined;
    try {
      copies = await Promise.all(
        outputs.map(async (tensor, i) => ({ name: descriptor.outputs[i] ?? `output ${i}`, shape: [...tensor.shape], values: Float32Array.from(await tensor.data()) })),
      );
      if (descriptor.hostDecode && !onGpu) {
        candidates = descriptor.hostDecode.rows(copies, { maxDetections: options.maxDetections, inputSize });
        maps = bundleMaps(keepMaps ? descriptor.hostDecode.maps(outputs, { maxDetections: options.maxDetections, inputSize }) : {});
      } else {
        const decoded = descriptor.decode(outputs, { maxDetections: options.maxDetections, inputSize });
        maps = bundleMaps(decoded.maps);
        try {
          candidates = Float32Array.from(await decoded.rows.data());
          if (!(nmsIou !== null && !onGpu)) backendFinal = Float32Array.from(await readFinalRows(decoded.rows, letterbox, options.maxDetections, nmsIou, options.scoreThreshold));
        } finally {
          decoded.rows.dispose();
        }
      }
    } catch (error) {
      maps?.dispose();
      throw asLoupeError(error, 'backend-failed', 'Reading the model outputs back failed');
    } finally {
      for (const t of outputs) t.dispose();
    }
    const steps: NmsTraceStep[] = [];
    const kept =
      nmsIou !== null
        ? suppressRows(candidates, ROW_WIDTH, nmsIou, options.scoreThreshold, options.maxDetections, steps)
        : candidates.slice(0, options.maxDetections * ROW_WIDTH);
    const final = backendFinal ?? unletterboxRows(kept.slice(), ROW_WIDTH, letterbox);
    const trace: DecodeTrace = {
      outputs: copies,
      candidates,
      nms: nmsIou !== null ? { iouThreshold: nmsIou, space: 'input', steps } : null,
      kept,
      final,
      scoreThreshold: options.scoreThreshold,
      maxDetections: options.maxDetections,
    };
    return { trace, maps };
  }

  /**
   * GPU path: the model's NMS (if any) as an M×M mask on the backend (on the first candidates when
   * they settle the frame, `postprocess/final-rows.ts`), unletterbox on the backend, then one async read
   * of the K final rows. Takes ownership of `rows` ([M, ROW_WIDTH], input px).
   */
  private async readRows(rows: tf.Tensor2D, letterbox: LetterboxTransform, options: RunOptions, nmsIou: number | null): Promise<Float32Array> {
    try {
      return await readFinalRows(rows, letterbox, options.maxDetections, nmsIou, options.scoreThreshold);
    } finally {
      rows.dispose();
    }
  }

  /** Reads rows the decoder left on a CPU backend (already in main memory) and releases the tensor. */
  private async readAll(rows: tf.Tensor2D): Promise<Float32Array> {
    try {
      return (await rows.data()) as Float32Array;
    } finally {
      rows.dispose();
    }
  }

  /**
   * CPU path, on rows in main memory ([M · ROW_WIDTH], input px, sorted): the model's NMS if it has one
   * (else the first `maxDetections`), then unletterbox, in JS.
   */
  private finishOnHost(rows: Float32Array, nmsIou: number | null, letterbox: LetterboxTransform, options: RunOptions): Float32Array {
    const kept =
      nmsIou !== null
        ? suppressRows(rows, ROW_WIDTH, nmsIou, options.scoreThreshold, options.maxDetections)
        : rows.slice(0, options.maxDetections * ROW_WIDTH);
    return unletterboxRows(kept, ROW_WIDTH, letterbox);
  }

  /**
   * Warm-up at load (GPU backends): compiles the programs of one frame — a 640×480 zero frame through
   * preprocessing, the model, the decoder, the GPU NMS and unletterbox — without running them
   * (`compileOnly`), when `compilable` (a graph model whose `execute()` is synchronous). When it cannot
   * (a custom loader, or the pass fails: an op that reads a value the GPU computed), it runs that frame
   * once for real instead (`detect()` of the zero frame), which compiles the same programs serially.
   * Throws a `LoupeError` when the real run fails too, or when the GPU is lost.
   */
  async warmUpOnce(compilable: boolean, onFraction: (fraction: number) => void): Promise<WarmUpReport> {
    const start = now();
    let fallback = '';
    if (compilable && canCompileOnly()) {
      try {
        const { programs } = await compileOnly(() => this.compilePass(), onFraction);
        return { mode: 'compile', programs, ms: now() - start };
      } catch (error) {
        if (error instanceof LoupeError && error.type === 'backend-lost') throw error;
        fallback = error instanceof Error ? error.message : String(error);
      }
    }
    onFraction(0);
    const frame = tf.zeros([WARM_UP_FRAME.height, WARM_UP_FRAME.width, 3], 'int32') as tf.Tensor3D;
    try {
      const result = await this.detect(frame, { smallObjects: false });
      result.dispose();
    } finally {
      frame.dispose();
    }
    onFraction(1);
    const report: WarmUpReport = { mode: 'run', programs: 0, ms: now() - start };
    if (fallback) report.fallback = fallback;
    return report;
  }

  /** One frame's GPU programs, synchronously (for `compileOnly`): its outputs hold garbage. */
  private compilePass(): tf.Tensor[] {
    const { descriptor, options } = this;
    return tf.tidy(() => {
      const frame = tf.zeros([WARM_UP_FRAME.height, WARM_UP_FRAME.width, 3], 'int32') as tf.Tensor3D;
      const { input, letterbox } = preprocessFrame(descriptor, frame, this.rectMultiple);
      const outputs = this.runnable.execute(input);
      if (!Array.isArray(outputs)) throw new Error(`'${this.model}' runs asynchronously`);
      const decoded = descriptor.decode(outputs, { maxDetections: options.maxDetections, inputSize: { width: letterbox.inputWidth, height: letterbox.inputHeight } });
      const nmsIou = modelNmsIou(descriptor, options.nmsIouThreshold);
      // The programs of the frame path: NMS on the first candidates, as `readFinalRows` runs it first.
      return [finishOnBackend(decoded.rows, letterbox, options.maxDetections, nmsIou, NMS_FIRST_CANDIDATES)];
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.runnable.dispose();
  }
}

/** Loads `descriptor`'s model on the chosen backend and returns a ready detector. */
export async function createDetectorFor(requested: ModelDescriptor, options: DetectorOptions): Promise<Detector> {
  let descriptor = requested;
  if (options.inputSize !== undefined) {
    if (!descriptor.withInputSize) {
      throw new LoupeError('bad-option', `Model '${descriptor.id}' has a fixed input size (${descriptor.input.width}×${descriptor.input.height}); inputSize cannot be set.`);
    }
    descriptor = descriptor.withInputSize(options.inputSize);
  }
  const runOptions = validateRunOptions(descriptor, descriptor.defaults, {
    scoreThreshold: options.scoreThreshold,
    maxDetections: options.maxDetections,
    nmsIouThreshold: options.nmsIouThreshold,
  });
  const smallObjects = resolveSmallObjects(options.smallObjects);
  const track = trackOptionsOf(options.track);
  const ingest = options.ingest ?? 'auto';
  if (!['auto', 'canvas', 'tensor'].includes(ingest)) {
    throw new LoupeError('bad-option', `ingest must be 'auto', 'canvas' or 'tensor'; got ${JSON.stringify(ingest)}.`);
  }
  checkBackendPreference(options.backend ?? 'auto');
  const loadTimeout = options.loadTimeout ?? DEFAULT_LOAD_TIMEOUT_MS;
  if (!(Number.isFinite(loadTimeout) && loadTimeout >= 0)) {
    throw new LoupeError('bad-option', `loadTimeout must be a number of milliseconds ≥ 0 (0: no limit); got ${String(loadTimeout)}.`);
  }
  const url = resolveModelUrl(descriptor, options.modelBaseUrl);
  const { signal } = options;
  const giveUp = (): void => {
    if (signal?.aborted) throw new LoupeError('aborted', `Loading '${descriptor.id}' was aborted.`, { cause: signal.reason });
  };
  giveUp();
  const backend: BackendReport = { ...(await selectBackend(options.backend ?? 'auto', options.wasmPaths)), thread: currentThread() };
  giveUp();
  // One loaded model per (backend instance, model, input size, URL, fetch), shared by every detector on
  // the page. The backend instance, not its name: one rebuilt after a lost GPU context loads afresh.
  const key = [`${backend.backend}#${idOf(tf.backend())}`, descriptor.id, `${descriptor.input.width}x${descriptor.input.height}`, url, idOf(options.fetch)].join('|');
  const load = async (onProgress: (fraction: number) => void, loadSignal: AbortSignal): Promise<LoadedModel> => {
    const watch = watchLoad(loadSignal, loadTimeout);
    const fetchFunc = checkedFetch(options.fetch, watch);
    const progress = (fraction: number): void => {
      if (fraction >= 1) watch.settle();
      onProgress(fraction);
    };
    const loading = descriptor.load ? descriptor.load(loadContext(url, fetchFunc, progress)) : loadGraph(descriptor, url, fetchFunc, progress);
    // The stall timer and the abort end the load even where a custom fetch ignores the signal.
    let stop: () => void = () => undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(watch.signal.reason);
      watch.signal.addEventListener('abort', onAbort, { once: true });
      stop = () => watch.signal.removeEventListener('abort', onAbort);
    });
    try {
      return { descriptor, runnable: await Promise.race([loading, gaveUp]) };
    } catch (error) {
      // A load that still finishes after its end was decided is released at once.
      void loading.then((runnable) => runnable.dispose(), () => undefined);
      if (watch.stalled) {
        throw new LoupeError('model-load-failed', `Loading '${descriptor.id}' from ${url} failed: the model server sent nothing for ${loadTimeout / 1000} s (loadTimeout).`);
      }
      if (loadSignal.aborted) throw new LoupeError('aborted', `Loading '${descriptor.id}' was aborted.`, { cause: loadSignal.reason });
      throw asLoupeError(error, 'model-load-failed', `Loading '${descriptor.id}' from ${url} failed`);
    } finally {
      stop();
      watch.stop();
    }
  };
  const { onProgress, onPhase } = options;
  const downloadProgress =
    onProgress || onPhase
      ? (fraction: number) => {
          onProgress?.(fraction);
          onPhase?.('download', fraction);
        }
      : undefined;
  let shared: SharedHandle<LoadedModel>;
  try {
    shared = await sharedModels.acquire(key, load, downloadProgress, signal);
  } catch (error) {
    giveUp();
    throw error;
  }
  // The descriptor the model was loaded with (a URL model's descriptor learns its shapes at load).
  const { descriptor: loaded, runnable } = shared.value;
  const detector = new GraphDetector(loaded, { execute: (input) => runnable.execute(input), dispose: shared.release }, backend, runOptions, ingest, options.rectInput === true ? loaded.rectInput?.multiple : undefined);
  if (smallObjects) detector.setOptions({ smallObjects });
  const gpu = isGpuBackend(backend.backend);
  // Default: on, but not on SwiftShader's WebGPU, whose pipeline compilation ahead of the first frame
  // delayed the first result (38 s against 27 s for CenterNet, docs/performance.md).
  const warmUp = options.warmUp ?? !isSwiftShaderWebGpu();
  if (warmUp && gpu) {
    try {
      detector.warmUp = await warmUpShared(shared.value, detector, onPhase);
    } catch (error) {
      detector.dispose();
      throw asLoupeError(error, 'backend-failed', `Warming up '${loaded.id}' on ${backend.backend} failed`);
    }
  }
  try {
    giveUp();
  } catch (error) {
    detector.dispose();
    throw error;
  }
  const made = track ? withTracking(detector, track) : detector;
  optionRules.set(made, { defaults: loaded.defaults, maxDetectionsLimit: loaded.maxDetectionsLimit });
  return made;
}

interface LoadedModel {
  descriptor: ModelDescriptor;
  runnable: RunnableModel;
  /** Its warm-up, once one started: every detector of the model waits for the same one. */
  warmUp?: { promise: Promise<WarmUpReport>; fraction: number; listeners: Set<(fraction: number) => void> };
}

/**
 * Warms `model` up once (`GraphDetector.warmUpOnce` of the first detector that asks), however many
 * detectors share it; each gets `onPhase('compile', fraction)` from the fraction reached when it joins.
 * A failed warm-up is forgotten, so the next detector tries again.
 */
async function warmUpShared(model: LoadedModel, detector: GraphDetector, onPhase?: (phase: LoadPhase, fraction: number) => void): Promise<WarmUpReport> {
  const listener = onPhase ? (fraction: number) => onPhase('compile', fraction) : undefined;
  let state = model.warmUp;
  if (state) {
    if (listener) {
      state.listeners.add(listener);
      listener(state.fraction);
    }
  } else {
    const created: NonNullable<LoadedModel['warmUp']> = { promise: Promise.resolve({ mode: 'none', programs: 0, ms: 0 }), fraction: 0, listeners: new Set(listener ? [listener] : []) };
    created.promise = detector.warmUpOnce(isCompilable(model.runnable), (fraction) => {
      created.fraction = fraction;
      for (const each of created.listeners) each(fraction);
    });
    created.promise.catch(() => {
      if (model.warmUp === created) model.warmUp = undefined;
    });
    model.warmUp = created;
    state = created;
  }
  try {
    return await state.promise;
  } finally {
    if (listener) state.listeners.delete(listener);
  }
}

/** Loaded models, reference-counted: `dispose()` of the last detector using one releases its weights. */
const sharedModels = new SharedCache<LoadedModel>((model) => model.runnable.dispose());

/** Which models are loaded and how many detectors hold each (for tests and debugging). */
export function loadedModels(): SharedEntryInfo[] {
  return sharedModels.entries();
}

const ids = new WeakMap<object, number>();
let lastId = 0;
/** A number per object (a backend instance, a custom fetch), for cache keys; `default` for none. */
function idOf(value: object | undefined): string {
  if (!value) return 'default';
  let id = ids.get(value);
  if (id === undefined) {
    id = ++lastId;
    ids.set(value, id);
  }
  return String(id);
}
