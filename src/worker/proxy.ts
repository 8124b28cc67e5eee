/**
 * The page's side of worker mode (`DetectorOptions.worker`): a `Detector` whose engine runs in Loupe's
 * dedicated Worker (src/worker/serve.ts). Same API as on the main thread: `detect()` sends the frame as
 * a transferred `ImageBitmap` (or a `VideoFrame` clone) and resolves with the result as plain data;
 * `setOptions()` validates synchronously with the model's own rules (the engine's one validator) and
 * forwards the change; errors arrive as `LoupeError`s of their type.
 *
 * One Worker per page: every worker-mode detector shares it (and so the Worker's shared model cache),
 * and it is terminated when the last one is disposed.
 */
import { modelFolderUrl, validateRunOptions, type RunOptionRules } from '../detector.js';
import { LoupeError, asLoupeError } from '../errors.js';
import { checkFrame } from '../preprocess/frame.js';
import { wasmFolder } from '../runtime/backend.js';
import { isGpuBackend } from '../runtime/backend-kind.js';
import { resolveSmallObjects } from '../small-objects/plan.js';
import { frameTimestamp } from '../track/with-tracking.js';
import type {
  BackendReport,
  DetectCallOptions,
  DetectionResult,
  Detector,
  DetectorOptions,
  DrawnWorkerMap,
  FrameSource,
  RunOptions,
  RunOptionsPatch,
  WarmUpReport,
  WorkerLevelMaps,
  WorkerMapDrawRequest,
  WorkerMapReadRequest,
  WorkerMaps,
} from '../types.js';
import { errorFromWire, type FromWorker, type ToWorker, type WireDetectorInfo, type WireDetectorOptions, type WireFrame, type WireMaps, type WireResult, type WorkerMemory } from './protocol.js';

interface Pending {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
  onProgress?: (fraction: number) => void;
  onPhase?: DetectorOptions['onPhase'];
}

/** The page's one Worker, its users and its requests in flight. */
class Connection {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  users = 0;
  private lastId = 0;
  private readonly pending = new Map<number, Pending>();
  /** Why the Worker stopped, once it did: every later request fails with it. */
  private failure: LoupeError | null = null;

  constructor(start: () => Worker) {
    this.worker = start();
    let started!: () => void;
    let failed!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'ready') return started();
      const request = this.pending.get(message.id);
      if (!request) return;
      if (message.type === 'progress') return request.onProgress?.(message.fraction);
      if (message.type === 'phase') return request.onPhase?.(message.phase, message.fraction);
      this.pending.delete(message.id);
      if (message.type === 'failed') request.reject(errorFromWire(message.error));
      else request.resolve(message);
    });
    // A script that cannot load (a CSP without worker-src, a missing file) or an uncaught error in it.
    this.worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      this.stop(new LoupeError('backend-failed', `Loupe's detector Worker stopped: ${event.message || 'its script could not be loaded or run'}.`));
      failed(this.failure!);
    });
    this.worker.addEventListener('messageerror', () => this.stop(new LoupeError('backend-failed', "A message from Loupe's detector Worker could not be read.")));
  }

  /** Sends `message` (with `transfer` moved, not copied) and resolves with the Worker's answer. */
  request(message: ToWorker & { id: number }, transfer: Transferable[] = [], callbacks: Pick<Pending, 'onProgress' | 'onPhase'> = {}): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject, ...callbacks });
      this.worker.postMessage(message, transfer);
    });
  }

  post(message: ToWorker): void {
    if (!this.failure) this.worker.postMessage(message);
  }

  /** Whether the Worker stopped (terminated, or it failed): everything it held is gone. */
  get stopped(): boolean {
    return this.failure !== null;
  }

  nextId(): number {
    return ++this.lastId;
  }

  /** Stops waiting for the answer to request `id` (it never comes, or no longer matters). */
  forget(id: number): void {
    this.pending.delete(id);
  }

  /** Terminates the Worker and fails every request in flight with `reason`. */
  stop(reason: LoupeError): void {
    if (!this.failure) this.failure = reason;
    this.worker.terminate();
    for (const request of this.pending.values()) request.reject(reason);
    this.pending.clear();
    if (connection === this) connection = null;
  }
}

let connection: Connection | null = null;

/** The page's Worker, started on first use. */
function acquire(start: () => Worker): Connection {
  connection ??= new Connection(start);
  connection.users++;
  return connection;
}

function release(shared: Connection): void {
  shared.users--;
  if (shared.users === 0) shared.stop(new LoupeError('disposed', "Loupe's detector Worker was terminated: its last detector was disposed."));
}

/**
 * tfjs's tensors and bytes in Loupe's Worker and its detectors, or null when no Worker runs: worker
 * mode's counterpart of `tf.memory()` (the page's tfjs does not see the Worker's tensors).
 */
export async function workerMemory(): Promise<WorkerMemory | null> {
  const shared = connection;
  if (!shared) return null;
  try {
    await shared.ready;
    const answer = await shared.request({ type: 'memory', id: shared.nextId() });
    return answer.type === 'memory' ? answer.memory : null;
  } catch (error) {
    // Terminated while asking (its last detector was disposed meanwhile): no Worker, no tensors.
    if (connection !== shared) return null;
    throw error;
  }
}

/**
 * The options as the Worker needs them: folder URLs made absolute against this page (the Worker has no
 * page to resolve against), callbacks left out (they are called from the Worker's messages), the
 * signal too (its abort is sent as a message).
 */
function wireOptionsOf(options: DetectorOptions): WireDetectorOptions {
  const { onProgress: _p, onPhase: _f, fetch: _fetch, worker: _w, signal: _s, ...rest } = options;
  const wire: WireDetectorOptions = { ...rest, modelBaseUrl: modelFolderUrl(options.modelBaseUrl) };
  const wasm = wasmFolder(options.wasmPaths, document.baseURI);
  // A wasm-paths that is no URL goes as it is: the Worker reports it as the main thread would.
  if ('folder' in wasm) wire.wasmPaths = wasm.folder;
  return wire;
}

/**
 * Loads `options.model` in Loupe's Worker (started by `start` when none runs yet) and returns its
 * detector. Rejects with the Worker's `LoupeError` (`backend-failed` when the Worker itself cannot start).
 * `options.model` must already be what the Worker can resolve (an id, or a URL model with an absolute URL);
 * `name`: the model's name on this side (`detector.model`, `result.model`), default the Worker's.
 */
export async function createWorkerDetector(options: DetectorOptions, start: () => Worker, name?: string): Promise<Detector> {
  const { signal } = options;
  const aborted = () => new LoupeError('aborted', `Loading '${typeof options.model === 'string' ? options.model : 'the model'}' was aborted.`, { cause: signal?.reason });
  if (signal?.aborted) throw aborted();
  const shared = acquire(start);
  let abort: (() => void) | undefined;
  try {
    await shared.ready;
    if (signal?.aborted) throw aborted();
    const id = shared.nextId();
    const wire = wireOptionsOf(options);
    // Giving up: the Worker aborts its load (its downloads stop when no other detector shares them).
    abort = () => shared.post({ type: 'abort', id });
    signal?.addEventListener('abort', abort, { once: true });
    const answer = await shared.request(
      { type: 'create', id, options: wire, progress: options.onProgress !== undefined, phase: options.onPhase !== undefined },
      [],
      { onProgress: options.onProgress, onPhase: options.onPhase },
    );
    if (answer.type !== 'created') throw new Error(`unexpected answer '${answer.type}' to create`);
    return new WorkerDetector(shared, id, name === undefined ? answer.info : { ...answer.info, model: name });
  } catch (error) {
    release(shared);
    throw asLoupeError(error, 'backend-failed', "Loupe's detector Worker failed");
  } finally {
    if (abort) signal?.removeEventListener('abort', abort);
  }
}

/**
 * A frame as it crosses to the Worker, and what is moved rather than copied. The engine's input gate
 * (`checkFrame`) runs here first, so a bad source is the same `bad-input` as on the main thread.
 */
async function wireFrameOf(source: FrameSource): Promise<{ frame: WireFrame; transfer: Transferable[] }> {
  const gated = checkFrame(source);
  if (gated.kind === 'tensor') {
    const tensor = gated.source;
    const values = (await tensor.data()) as Int32Array | Float32Array;
    return { frame: { kind: 'tensor', values, shape: [gated.height, gated.width, 3], dtype: tensor.dtype as 'int32' | 'float32' }, transfer: [values.buffer] };
  }
  if (gated.kind === 'pixels') return { frame: { kind: 'image-data', image: gated.source }, transfer: [] };
  // The caller keeps its own frame: a VideoFrame clone (a reference to the same picture) or a bitmap
  // copy made by the browser (GPU-side in Chromium; an <img> at its natural size) is what moves.
  const drawable = gated.source;
  if (typeof VideoFrame !== 'undefined' && drawable instanceof VideoFrame) {
    const frame = drawable.clone();
    return { frame: { kind: 'video-frame', frame }, transfer: [frame] };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(drawable);
  } catch (error) {
    // A cross-origin image without CORS, a bitmap closed meanwhile, …
    throw asLoupeError(error, 'bad-input', 'Reading the frame failed');
  }
  return { frame: { kind: 'bitmap', bitmap }, transfer: [bitmap] };
}

function releaseFrame(frame: WireFrame): void {
  if (frame.kind === 'bitmap') frame.bitmap.close();
  else if (frame.kind === 'video-frame') frame.frame.close();
}

/** The page's references to one result's maps in the Worker; the last one disposed lets the Worker free them. */
interface MapsReference {
  handle: number;
  count: number;
}

/** `DetectionResult.workerMaps`: one reference to a result's maps that stay in the Worker. */
class RemoteMaps implements WorkerMaps {
  private released = false;

  constructor(
    private readonly shared: Connection,
    private readonly reference: MapsReference,
    readonly levels: readonly WorkerLevelMaps[],
  ) {}

  get disposed(): boolean {
    return this.released || this.shared.stopped;
  }

  private check(): void {
    if (this.disposed) throw new LoupeError('disposed', "The result's maps were disposed (or Loupe's Worker was terminated).");
  }

  async draw(request: WorkerMapDrawRequest): Promise<DrawnWorkerMap> {
    this.check();
    const answer = await this.shared.request({ type: 'draw-map', id: this.shared.nextId(), handle: this.reference.handle, request });
    if (answer.type !== 'drawn') throw new Error(`unexpected answer '${answer.type}' to draw-map`);
    return answer.drawn;
  }

  async read(request: WorkerMapReadRequest): Promise<Float32Array> {
    this.check();
    const answer = await this.shared.request({ type: 'read-map', id: this.shared.nextId(), handle: this.reference.handle, request });
    if (answer.type !== 'map-values') throw new Error(`unexpected answer '${answer.type}' to read-map`);
    return answer.values;
  }

  retain(): WorkerMaps {
    this.check();
    this.reference.count++;
    return new RemoteMaps(this.shared, this.reference, this.levels);
  }

  dispose(): void {
    if (this.released) return;
    this.released = true;
    if (--this.reference.count === 0) this.shared.post({ type: 'release-maps', handle: this.reference.handle });
  }
}

class WorkerDetector implements Detector {
  readonly model: string;
  readonly labels: readonly string[];
  readonly backend: BackendReport;
  readonly inputSize: { width: number; height: number };
  readonly warmUp?: WarmUpReport;
  private options: RunOptions;
  private readonly rules: RunOptionRules;
  private disposed = false;
  /** The Worker's answer to `watch-loss`: its id (to forget it on dispose) and the loss. */
  private lossWatch: { id: number; lost: Promise<LoupeError> } | null = null;

  constructor(
    private readonly shared: Connection,
    private readonly id: number,
    info: WireDetectorInfo,
  ) {
    this.model = info.model;
    this.labels = info.labels;
    this.backend = info.backend;
    this.inputSize = info.inputSize;
    if (info.warmUp) this.warmUp = info.warmUp;
    this.options = info.runOptions;
    this.rules = info.rules;
  }

  get runOptions(): Readonly<RunOptions> {
    return this.options;
  }

  setOptions(patch: RunOptionsPatch): void {
    const { smallObjects, ...rest } = patch;
    // The same checks as the engine's, here, so a bad value throws now and changes nothing.
    if (smallObjects !== undefined) resolveSmallObjects(smallObjects);
    this.options = validateRunOptions(this.rules, this.options, rest);
    if (this.disposed) return;
    // Messages arrive in order: the next detect() runs with it. The Worker applies what passed here.
    this.shared.request({ type: 'set-options', id: this.shared.nextId(), detector: this.id, patch }).catch(() => undefined);
  }

  async detect(source: FrameSource, call: DetectCallOptions = {}): Promise<DetectionResult> {
    if (this.disposed) throw new LoupeError('disposed', `The '${this.model}' detector was disposed.`);
    // The frame's time is read here, where the video is (a track's motion model needs media time).
    const timestamp = call.timestamp ?? frameTimestamp(source);
    const { frame, transfer } = await wireFrameOf(source);
    if (this.disposed) {
      releaseFrame(frame);
      throw new LoupeError('disposed', `The '${this.model}' detector was disposed.`);
    }
    const message: ToWorker & { id: number } = { type: 'detect', id: this.shared.nextId(), detector: this.id, frame, call: { timestamp } };
    if (call.smallObjects !== undefined) message.call.smallObjects = call.smallObjects;
    if (call.maps) message.call.maps = true;
    // The trace (explainers) is plain data: it comes back with the result (a copy of the outputs).
    if (call.trace) message.call.trace = true;
    const answer = await this.shared.request(message, transfer);
    if (answer.type !== 'result') throw new Error(`unexpected answer '${answer.type}' to detect`);
    const result: WireResult = { ...answer.result, model: this.model };
    // `maps` stay in the Worker (docs/worker.md): `workerMaps` draws and reads them there.
    const workerMaps = answer.maps ? this.remoteMaps(answer.maps) : undefined;
    return workerMaps ? { ...result, workerMaps, dispose: () => workerMaps.dispose() } : { ...result, dispose: () => undefined };
  }

  whenLost(): Promise<LoupeError> {
    if (this.lossWatch) return this.lossWatch.lost;
    const never = new Promise<LoupeError>(() => undefined);
    // WASM and CPU have nothing to lose; a disposed detector has nothing left to lose.
    if (!isGpuBackend(this.backend.backend) || this.disposed) return never;
    const id = this.shared.nextId();
    const lost = this.shared.request({ type: 'watch-loss', id, detector: this.id }).then(
      (answer) => (answer.type === 'lost' ? lossOf(errorFromWire(answer.error)) : never),
      // The Worker stopped under the model (it crashed, or the GPU process took it down): as good as
      // lost, and loading again starts a new Worker. Stopped by our own dispose: nothing to report.
      (error: unknown) => (this.disposed || (error instanceof LoupeError && error.type === 'disposed') ? never : lossOf(error)),
    );
    this.lossWatch = { id, lost };
    return lost;
  }

  private remoteMaps(wire: WireMaps): WorkerMaps {
    return new RemoteMaps(this.shared, { handle: wire.handle, count: 1 }, wire.levels);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.lossWatch) this.shared.forget(this.lossWatch.id);
    this.shared.post({ type: 'dispose', detector: this.id });
    release(this.shared);
  }
}

/** The Worker's loss as the page reports it: its own `backend-lost`, or a stopped Worker said as one. */
function lossOf(error: unknown): LoupeError {
  if (error instanceof LoupeError && error.type === 'backend-lost') return error;
  const why = error instanceof Error ? error.message : String(error);
  return new LoupeError('backend-lost', `Loupe's detector Worker lost its GPU backend (${why.replace(/\.$/, '')}). Reloading the model in a new Worker.`);
}
