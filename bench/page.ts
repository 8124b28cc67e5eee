/**
 * The benchmark page (bench/page.html), driven by bench/run.mjs.
 *
 * - `window.loupeBench.run(config)`: on one backend and model, per frame and in rotating order,
 *   (A) the bare graph (tf.loadGraphModel + execute on a prepared input, await its outputs' data),
 *   (A′) the same with Loupe's constant folding, (B) Loupe's `detect(frame)`, (C) Human's `detect(frame)`
 *   with the same model file; times, reads back to the CPU, tensors. Plus, on CPU backends, the canvas
 *   letterbox against the tensor letterbox (time and box differences).
 * - `?cold=loupe|human&model=…&backend=…&frame=N` (/bench-frames/N.jpg): from navigation start to the first box, written to
 *   `window.loupeCold`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { BackendName, Detection, Detector } from '../src/types.js';

export interface ReadCounts {
  /** readSync calls (tfjs `dataSync`/`arraySync`, and the graph executor's parameter reads). */
  syncCalls: number;
  /** readSync calls that had to download from the GPU (0 on CPU backends). */
  gpuSyncReads: number;
  /** Bytes that left backend memory (GPU, or the WASM heap) through read or readSync. */
  bytes: number;
  /** Asynchronous reads (`data()`, `array()`). */
  asyncReads: number;
}

export interface FrameSample {
  ms: number;
  reads: ReadCounts;
  /** tf.memory().numTensors after − before the call. */
  tensorDelta: number;
  boxes: number;
  timings?: { preprocess: number; infer: number; decode: number; total: number };
}

export interface BenchConfig {
  model: string;
  backend: BackendName;
  frameUrls: string[];
  /** Fallback when there are no frame URLs: a video to sample `frames` frames from. */
  videoUrl?: string;
  frames: number;
  /** The timed loop runs `frames × repeat` times over the same frames (a long leak run without 500 bitmaps). */
  repeat: number;
  warmup: number;
  contenders: string[];
  canvasCheck: boolean;
  /** Frames (from the first) to run in small-object mode (`smallObjects: true`); 0: none. */
  smallFrames: number;
}

export interface SmallSample {
  ms: number;
  /** Model passes the result cost (T). */
  executions: number;
  boxes: number;
}

export interface BenchResult {
  model: string;
  backend: string;
  device: string;
  frames: number;
  frameSize: [number, number];
  samples: Record<string, FrameSample[]>;
  errors: Record<string, string>;
  memory: { before: TF.MemoryInfo; after: TF.MemoryInfo };
  fold: { nonConstBefore: number; nonConstAfter: number; removed: number; folded: string[] } | null;
  flags: Record<string, unknown>;
  canvas?: CanvasCheck;
  small?: SmallSample[];
}

export interface CanvasCheck {
  tensorPathMs: number[];
  canvasPathMs: number[];
  /** Per frame: largest |coordinate difference| (source px) over matched boxes, and unmatched boxes. */
  maxBoxDiff: number[];
  unmatched: number[];
  maxScoreDiff: number[];
}

type Tf = typeof TF;

// ---------- readback counter ----------

const counts: ReadCounts = { syncCalls: 0, gpuSyncReads: 0, bytes: 0, asyncReads: 0 };
function resetCounts(): ReadCounts {
  const snapshot = { ...counts };
  Object.assign(counts, { syncCalls: 0, gpuSyncReads: 0, bytes: 0, asyncReads: 0 });
  return snapshot;
}
const sizeOf = (value: unknown): number =>
  ArrayBuffer.isView(value) ? value.byteLength : Array.isArray(value) ? value.reduce((s: number, v) => s + sizeOf(v), 0) : 0;

/** Wraps the active backend's read/readSync. Nested calls (a read that reads its own slices) count once. */
function instrument(tf: Tf): void {
  type Readable = {
    read(id: object): Promise<unknown>;
    readSync(id: object): unknown;
    texData?: { get(id: object): { values?: unknown } | undefined };
    tensorMap?: { get(id: object): { values?: unknown } | undefined };
    __benchWrapped?: boolean;
  };
  const backend = tf.backend() as unknown as Readable;
  if (backend.__benchWrapped) return;
  backend.__benchWrapped = true;
  const name = tf.getBackend();
  const onGpu = (id: object): boolean => {
    if (name === 'webgl') return backend.texData?.get(id)?.values == null;
    if (name === 'webgpu') return backend.tensorMap?.get(id)?.values == null;
    return false;
  };
  // Bytes "leave the backend" when they come from the GPU, or from the WASM heap; the CPU backend's
  // arrays are already JS memory.
  const leaves = (id: object): boolean => (name === 'webgl' || name === 'webgpu' ? onGpu(id) : name !== 'cpu');
  let depth = 0;
  const read = backend.read.bind(backend);
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (id) => {
    const outer = depth === 0;
    const gpu = outer && onGpu(id);
    const counted = outer && leaves(id);
    depth++;
    try {
      const value = readSync(id);
      if (outer) {
        counts.syncCalls++;
        if (gpu) counts.gpuSyncReads++;
        if (counted) counts.bytes += sizeOf(value);
      }
      return value;
    } finally {
      depth--;
    }
  };
  backend.read = (id) => {
    const outer = depth === 0;
    const counted = outer && leaves(id);
    depth++;
    let promise: Promise<unknown>;
    try {
      promise = read(id);
    } finally {
      depth--;
    }
    if (!outer) return promise;
    counts.asyncReads++;
    return promise.then((value) => {
      if (counted) counts.bytes += sizeOf(value);
      return value;
    });
  };
}

// ---------- frames ----------

async function loadFrames(config: BenchConfig): Promise<ImageBitmap[]> {
  if (config.frameUrls.length > 0) {
    return Promise.all(config.frameUrls.map(async (url) => createImageBitmap(await (await fetch(url)).blob())));
  }
  if (!config.videoUrl) throw new Error('No frames and no video to take them from.');
  const video = document.createElement('video');
  video.muted = true;
  video.src = config.videoUrl;
  await new Promise((resolve, reject) => {
    video.onloadeddata = resolve;
    video.onerror = () => reject(new Error(`Cannot decode ${config.videoUrl}`));
  });
  const frames: ImageBitmap[] = [];
  for (let i = 0; i < config.frames; i++) {
    video.currentTime = ((i + 0.5) / config.frames) * video.duration;
    await new Promise((resolve) => (video.onseeked = resolve));
    frames.push(await createImageBitmap(video));
  }
  return frames;
}

// ---------- contenders ----------

interface Contender {
  name: string;
  /** Runs one frame; resolves when its results are on the CPU. Returns the number of boxes. */
  run(frame: ImageBitmap, index: number): Promise<{ boxes: number; timings?: FrameSample['timings'] }>;
  dispose(): void;
}

async function bareContender(tf: Tf, name: string, artifacts: TF.io.ModelArtifacts, inputName: string, outputs: string[], inputs: TF.Tensor[]): Promise<Contender> {
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  return {
    name,
    async run(_frame, index) {
      const raw = model.execute({ [inputName]: inputs[index]! }, outputs);
      const list = Array.isArray(raw) ? raw : [raw];
      await Promise.all(list.map((t) => t.data()));
      tf.dispose(list);
      return { boxes: 0 };
    },
    dispose: () => model.dispose(),
  };
}

async function humanContender(config: BenchConfig, scoreThreshold: number): Promise<Contender> {
  const { Human } = await import('loupe-bench-human');
  const human = new Human(humanConfig(config.model, config.backend, scoreThreshold));
  await human.load();
  return {
    name: 'human',
    async run(frame) {
      const result = await human.detect(frame);
      if (result.error) throw new Error(`Human: ${result.error}`);
      return { boxes: result.object.length };
    },
    dispose: () => undefined,
  };
}

/** Human with only object detection, the same model file from our /models/, and nothing skipped. */
function humanConfig(model: string, backend: string, scoreThreshold: number): Record<string, unknown> {
  return {
    backend,
    modelBasePath: new URL('/models/', location.href).href,
    wasmPath: new URL('/tfjs-wasm/', location.href).href,
    debug: false,
    warmup: 'none',
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    object: { enabled: true, modelPath: `${model}.json`, minConfidence: scoreThreshold, iouThreshold: 0.4, maxDetected: 100, skipFrames: 0, skipTime: 0 },
  };
}

// ---------- the run ----------

async function run(config: BenchConfig): Promise<BenchResult> {
  const tf = await import('@tensorflow/tfjs');
  const { createDetector } = await import('../models/index.js');
  const { getModelDescriptor } = await import('../models/registry.js');
  const { preprocessFrame } = await import('../src/pipeline.js');
  const { foldConstants } = await import('../src/runtime/fold-constants.js');
  const log = (message: string): void => console.log(`[bench ${config.backend}/${config.model}] ${message}`);

  const descriptor = getModelDescriptor(config.model);
  if (!descriptor) throw new Error(`Unknown model ${config.model}`);
  const frames = await loadFrames(config);
  log(`${frames.length} frames ${frames[0]!.width}×${frames[0]!.height}`);

  const detector: Detector = await createDetector({ model: config.model, backend: config.backend });
  instrument(tf);
  const errors: Record<string, string> = {};
  const contenders: Contender[] = [];

  // Inputs for the bare graph: Loupe's own preprocessing, made before the timed calls.
  const url = new URL(`/models/${descriptor.graphFile}`, location.href).href;
  const artifacts = await tf.io.http(url).load!();
  const folded = await foldConstants(artifacts);
  const inputs = frames.map((frame) =>
    tf.tidy(() => preprocessFrame(descriptor, tf.browser.fromPixels(frame)).input),
  );
  await Promise.all(inputs.map((t) => t.data())); // settled before any timing
  const outputs = [...descriptor.outputs];
  const want = (name: string): boolean => config.contenders.includes(name);
  if (want('bare')) contenders.push(await bareContender(tf, 'bare', artifacts, descriptor.input.name, outputs, inputs));
  if (want('bare-folded')) contenders.push(await bareContender(tf, 'bare-folded', folded.artifacts, descriptor.input.name, outputs, inputs));
  const loupeContender = (name: string, loupe: Detector, dispose: () => void): Contender => ({
    name,
    async run(frame) {
      const result = await loupe.detect(frame);
      result.dispose();
      return { boxes: result.detections.length, timings: { ...result.timings } };
    },
    dispose,
  });
  if (want('loupe')) contenders.push(loupeContender('loupe', detector, () => undefined));
  if (want('loupe-rect')) {
    // The same pipeline with rectangular inputs (DetectorOptions.rectInput): less to compute per frame.
    const rectangular = await createDetector({ model: config.model, backend: config.backend, rectInput: true });
    contenders.push(loupeContender('loupe-rect', rectangular, () => rectangular.dispose()));
  }
  if (want('human')) {
    try {
      contenders.push(await humanContender(config, descriptor.defaults.scoreThreshold));
    } catch (error) {
      errors.human = String(error);
    }
  }

  const samples: Record<string, FrameSample[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const failed = new Set<string>();
  const once = async (c: Contender, i: number, record: boolean): Promise<void> => {
    if (failed.has(c.name)) return;
    const frame = frames[i % frames.length]!;
    const tensorsBefore = tf.memory().numTensors;
    resetCounts();
    const start = performance.now();
    try {
      const { boxes, timings } = await c.run(frame, i % frames.length);
      const ms = performance.now() - start;
      const reads = resetCounts();
      if (record) samples[c.name]!.push({ ms, reads, tensorDelta: tf.memory().numTensors - tensorsBefore, boxes, ...(timings ? { timings } : {}) });
    } catch (error) {
      failed.add(c.name);
      errors[c.name] = String(error);
      log(`${c.name} failed: ${String(error)}`);
    }
  };

  for (let w = 0; w < config.warmup; w++) {
    for (const c of contenders) await once(c, w, false);
    log(`warm-up ${w + 1}/${config.warmup} done`);
  }
  const memoryBefore = tf.memory();
  const timed = config.frames * Math.max(1, config.repeat || 1);
  for (let i = 0; i < timed; i++) {
    // Rotate the order so no contender always runs first (or right after another).
    for (let k = 0; k < contenders.length; k++) await once(contenders[(i + k) % contenders.length]!, i, true);
    if ((timed <= 50 && i % 5 === 4) || i % 50 === 49 || i === timed - 1) log(`frame ${i + 1}/${timed}`);
  }
  const memoryAfter = tf.memory();

  // Small-object mode: ms per frame against T × one pass (T = the passes it reports).
  const small: SmallSample[] = [];
  for (let i = 0; i < Math.min(config.smallFrames, frames.length); i++) {
    try {
      const start = performance.now();
      const result = await detector.detect(frames[i]!, { smallObjects: true });
      const ms = performance.now() - start;
      result.dispose();
      small.push({ ms, executions: result.executions ?? 1, boxes: result.detections.length });
    } catch (error) {
      errors.small = String(error);
      break;
    }
  }
  if (small.length > 0) log(`small-object mode on ${small.length} frames`);

  let canvas: CanvasCheck | undefined;
  if (config.canvasCheck && !descriptor.preprocess) canvas = await canvasCheck(config, frames, log);

  for (const c of contenders) c.dispose();
  tf.dispose(inputs);
  detector.dispose();
  const flags = { ...(tf.env() as unknown as { flags: Record<string, unknown> }).flags };
  return {
    model: config.model,
    backend: tf.getBackend(),
    device: detector.backend.device,
    frames: config.frames,
    frameSize: [frames[0]!.width, frames[0]!.height],
    samples,
    errors,
    memory: { before: memoryBefore, after: memoryAfter },
    fold: folded.report,
    flags,
    ...(canvas ? { canvas } : {}),
    ...(small.length > 0 ? { small } : {}),
  };
}

// ---------- canvas ingest vs tensor ingest (CPU backends) ----------

/**
 * Loupe's two ways from frame to model input on the same frames: `ingest: 'tensor'` (tfjs resamples the
 * frame tensor) and `ingest: 'canvas'` (the browser draws it, the default on CPU backends). Times are
 * `timings.preprocess` (source → model input); boxes of the tensor path are the reference.
 */
async function canvasCheck(config: BenchConfig, frames: ImageBitmap[], log: (m: string) => void): Promise<CanvasCheck> {
  const { createDetector } = await import('../models/index.js');
  const viaTensor = await createDetector({ model: config.model, backend: config.backend, ingest: 'tensor' });
  const viaCanvas = await createDetector({ model: config.model, backend: config.backend, ingest: 'canvas' });
  const out: CanvasCheck = { tensorPathMs: [], canvasPathMs: [], maxBoxDiff: [], unmatched: [], maxScoreDiff: [] };
  try {
    for (const frame of frames) {
      const reference = await viaTensor.detect(frame);
      const drawn = await viaCanvas.detect(frame);
      reference.dispose();
      drawn.dispose();
      if (reference.ingest !== 'tensor' || drawn.ingest !== 'canvas') throw new Error(`ingest paths not as asked: ${reference.ingest}, ${drawn.ingest}`);
      out.tensorPathMs.push(reference.timings.preprocess);
      out.canvasPathMs.push(drawn.timings.preprocess);
      const { maxDiff, unmatched, maxScoreDiff } = compareBoxes(reference.detections, drawn.detections);
      out.maxBoxDiff.push(maxDiff);
      out.unmatched.push(unmatched);
      out.maxScoreDiff.push(maxScoreDiff);
    }
  } finally {
    viaTensor.dispose();
    viaCanvas.dispose();
  }
  log(`canvas check done on ${frames.length} frames`);
  return out;
}

function iou(a: Detection, b: Detection): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Greedy same-class matching at IoU ≥ 0.5: largest coordinate and score differences, and leftovers. */
function compareBoxes(a: Detection[], b: Detection[]): { maxDiff: number; unmatched: number; maxScoreDiff: number } {
  const free = new Set(b.map((_, i) => i));
  let maxDiff = 0;
  let maxScoreDiff = 0;
  let unmatched = 0;
  for (const d of a) {
    let best = -1;
    let bestIou = 0.5;
    for (const j of free) {
      const other = b[j]!;
      const overlap = other.classId === d.classId ? iou(d, other) : 0;
      if (overlap >= bestIou) {
        best = j;
        bestIou = overlap;
      }
    }
    if (best < 0) {
      unmatched++;
      continue;
    }
    free.delete(best);
    const o = b[best]!;
    maxDiff = Math.max(maxDiff, Math.abs(d.x - o.x), Math.abs(d.y - o.y), Math.abs(d.x + d.width - o.x - o.width), Math.abs(d.y + d.height - o.y - o.height));
    maxScoreDiff = Math.max(maxScoreDiff, Math.abs(d.score - o.score));
  }
  return { maxDiff, unmatched: unmatched + free.size, maxScoreDiff };
}

// ---------- cold start ----------

export interface ColdResult {
  library: string;
  /** performance.now() (ms since navigation start) when the first box arrived. */
  firstBoxMs: number;
  detectCalls: number;
  error?: string;
}

async function cold(library: string, model: string, backend: BackendName, frameUrl: string): Promise<ColdResult> {
  const frame = async (): Promise<ImageBitmap> => createImageBitmap(await (await fetch(frameUrl)).blob());
  let calls = 0;
  if (library === 'loupe') {
    const { createDetector } = await import('../models/index.js');
    const detector = await createDetector({ model, backend });
    const bitmap = await frame();
    for (;;) {
      calls++;
      const result = await detector.detect(bitmap);
      result.dispose();
      if (result.detections.length > 0 || calls >= 5) break;
    }
    return { library, firstBoxMs: performance.now(), detectCalls: calls };
  }
  const { getModelDescriptor } = await import('../models/registry.js');
  const { Human } = await import('loupe-bench-human');
  const human = new Human(humanConfig(model, backend, getModelDescriptor(model)?.defaults.scoreThreshold ?? 0.3));
  await human.load();
  const bitmap = await frame();
  for (;;) {
    calls++;
    const result = await human.detect(bitmap);
    if (result.error) throw new Error(result.error);
    if (result.object.length > 0 || calls >= 5) break;
  }
  return { library, firstBoxMs: performance.now(), detectCalls: calls };
}

/** Imports every module a run needs, so the dev server has optimised and transformed them all before. */
async function prime(): Promise<void> {
  await Promise.all([
    import('@tensorflow/tfjs'),
    import('../models/index.js'),
    import('../models/registry.js'),
    import('../src/pipeline.js'),
    import('../src/runtime/fold-constants.js'),
    import('../src/preprocess/frame.js'),
    import('../src/preprocess/letterbox.js'),
    import('../src/preprocess/canvas-letterbox.js'),
    import('loupe-bench-human'),
  ]);
}

const params = new URLSearchParams(location.search);
const coldLibrary = params.get('cold');
const w = window as unknown as { loupeBench: { run: typeof run; prime: typeof prime }; loupeCold?: ColdResult };
if (coldLibrary) {
  // The frame's index, not its URL: a query ending in .jpg makes the dev server answer as for an image.
  cold(coldLibrary, params.get('model') ?? 'centernet', (params.get('backend') ?? 'wasm') as BackendName, `/bench-frames/${params.get('frame') ?? '0'}.jpg`)
    .then((result) => (w.loupeCold = result))
    .catch((error: unknown) => (w.loupeCold = { library: coldLibrary, firstBoxMs: NaN, detectCalls: 0, error: String(error) }));
} else {
  w.loupeBench = { run, prime };
  document.body.dataset.ready = 'true';
}
