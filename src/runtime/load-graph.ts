/**
 * Loading a tfjs graph model for a descriptor, and the graph surgery done once at load: the checks that
 * the files belong together (HTTP status of every shard, weight bytes against the manifest), that the graph
 * has the descriptor's input and outputs, rectangular inputs (`rect-input.ts`), constant folding on GPU
 * backends (`fold-constants.ts`), and any batch size for the small-object mode's tiles (`allowAnyBatch`).
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError, asLoupeError } from '../errors.js';
import type { LoadContext, ModelDescriptor, RunnableModel } from '../model-descriptor.js';
import { isGpuBackend } from './backend-kind.js';
import { foldingHandler } from './fold-constants.js';
import { checkInputSize, inputSizer, relaxInputSize, type InputSizer } from './rect-input.js';

/** Checks once, at load, that the graph has the input and outputs the descriptor relies on. */
function checkGraph(model: tf.GraphModel, descriptor: ModelDescriptor): void {
  const input = model.inputs.find((i) => i.name === descriptor.input.name);
  if (!input) {
    throw new LoupeError('model-mismatch', `Model '${descriptor.id}' has no input '${descriptor.input.name}' (has ${model.inputs.map((i) => i.name).join(', ')}).`);
  }
  checkInputSize(descriptor, input.shape ?? []);
  const nodes = new Set(Object.keys((model as unknown as { executor: { graph: { nodes: Record<string, unknown> } } }).executor.graph.nodes));
  const missing = descriptor.outputs.filter((name) => !nodes.has(name));
  if (missing.length > 0) throw new LoupeError('model-mismatch', `Model '${descriptor.id}' lacks output node(s) ${missing.join(', ')}.`);
}

/**
 * How a load gives up: the load's `signal` (every user left, see model-cache.ts) and a stall timer that
 * aborts when no byte of any model file arrived for `timeoutMs` (0: never). Every chunk of every
 * response body resets it, so a slow but moving download is never cut; a server that never answers is.
 */
export interface LoadWatch {
  /** Aborted by the load's signal or by the stall timer. */
  readonly signal: AbortSignal;
  /** Whether it was the stall timer. */
  readonly stalled: boolean;
  /** Resets the stall timer (a byte arrived). */
  poke(): void;
  /** The files are all in: no stall timer from now on (building the model may take its time). */
  settle(): void;
  stop(): void;
}

export function watchLoad(signal: AbortSignal, timeoutMs: number): LoadWatch {
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settled = false;
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const poke = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    if (timeoutMs > 0 && !settled && !controller.signal.aborted) {
      timer = setTimeout(() => {
        stalled = true;
        controller.abort(new Error(`no byte for ${timeoutMs} ms`));
      }, timeoutMs);
    }
  };
  poke();
  return {
    signal: controller.signal,
    get stalled() {
      return stalled;
    },
    poke,
    settle: () => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
    },
    stop: () => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * A fetch that turns an HTTP error into a clear failure. tfjs checks the status of the graph JSON but
 * not of the weight shards: a 404 page would otherwise surface as a garbled-weights error. With `watch`,
 * every request carries its signal and every chunk received resets its stall timer.
 */
export function checkedFetch(custom: typeof fetch | undefined, watch?: LoadWatch): typeof fetch {
  const base = custom ?? globalThis.fetch.bind(globalThis);
  return async (input, init) => {
    const response = await base(input, watch ? { ...init, signal: watch.signal } : init);
    watch?.poke();
    if (!response.ok) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      throw new LoupeError('model-load-failed', `${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`);
    }
    if (!watch || !response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          watch.poke();
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Bytes one stored element takes: the quantized type when the manifest says so, else the dtype. */
const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2 };

/**
 * The bytes a weights manifest describes (undefined when it holds strings, whose size is in the data).
 * Exported for the unit test.
 */
export function manifestBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const bytes = STORED_BYTES[spec.quantization?.dtype ?? spec.dtype];
    if (bytes === undefined) return undefined;
    total += spec.shape.reduce((product, side) => product * side, 1) * bytes;
  }
  return total;
}

/** The weight data and specs of a weights manifest, fetched and checked (`fetchWeights`). */
export interface FetchedWeights {
  specs: tf.io.WeightsManifestEntry[];
  /** One buffer per weight file, in manifest order (tfjs's `WeightData`). */
  data: ArrayBuffer[];
}

/** Reads a response body, calling `onBytes` with each chunk's size (a stream where there is one). */
async function readBody(response: Response, onBytes: (count: number) => void): Promise<ArrayBuffer> {
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onBytes(buffer.byteLength);
    return buffer;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    onBytes(value.byteLength);
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined.buffer;
}

/**
 * Fetches the weight files a weights manifest lists (relative to `manifestUrl`, keeping its query string,
 * as tfjs does) and checks that they hold exactly the bytes the manifest describes, before any weight
 * becomes a tensor. tfjs reads short files as a confusing shape error (after creating the first weights'
 * tensors, which then leak) and ignores extra bytes altogether (a weights file from another version of
 * the model would then load as garbage). `onProgress` goes by bytes received against the manifest's
 * total (by files where the manifest holds strings), and reaches 1 once all files are in and checked.
 *
 * We fetch the files ourselves rather than through `tf.io.http`: tfjs 4.22 follows the weight requests'
 * progress with `promise.then(onProgress)` and no catch, so a 404 or dropped shard became an unhandled
 * rejection on top of the load's own error.
 */
export async function fetchWeights(
  manifest: tf.io.WeightsManifestConfig,
  manifestUrl: string,
  fetchFunc: typeof fetch,
  onProgress?: (fraction: number) => void,
): Promise<FetchedWeights> {
  const specs = manifest.flatMap((group) => group.weights);
  const slash = manifestUrl.lastIndexOf('/');
  const query = manifestUrl.lastIndexOf('?');
  const prefix = manifestUrl.slice(0, slash + 1);
  const suffix = query > slash ? manifestUrl.slice(query) : '';
  const urls = manifest.flatMap((group) => group.paths.map((path) => prefix + path + suffix));
  const expected = manifestBytes(specs);
  let received = 0;
  let files = 0;
  const report = (): void => {
    // Below 1 until every file is in and checked (1 ends the load's stall timer, see watchLoad).
    const fraction = expected !== undefined && expected > 0 ? received / expected : files / Math.max(urls.length, 1);
    onProgress?.(Math.min(fraction, 0.99));
  };
  const data = await Promise.all(
    urls.map(async (url) => {
      const buffer = await readBody(await fetchFunc(url), (count) => {
        received += count;
        report();
      });
      files += 1;
      report();
      return buffer;
    }),
  );
  const actual = data.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  if (expected !== undefined && actual !== expected) {
    throw new LoupeError(
      'model-load-failed',
      `The weight files of ${manifestUrl} hold ${actual} bytes, but its manifest describes ${expected}: the files do not belong together (truncated, or from another version of the model).`,
    );
  }
  onProgress?.(1);
  return { specs, data };
}

/**
 * The artifacts of the TF.js model whose `model.json` is at `url`: the JSON (HTTP status and parse
 * checked) and its weights (`fetchWeights`). Every loader of a model.json goes through it: the graph
 * models here, Ultralytics exports, yolo-face-small (as `LoadContext.loadArtifacts`).
 */
export async function loadArtifacts(url: string, fetchFunc: typeof fetch, onProgress?: (fraction: number) => void): Promise<tf.io.ModelArtifacts> {
  const response = await fetchFunc(url);
  let json: tf.io.ModelJSON;
  try {
    json = (await response.json()) as tf.io.ModelJSON;
  } catch (error) {
    if (error instanceof LoupeError) throw error;
    throw new LoupeError('model-load-failed', `${url} is not JSON (a TF.js model.json): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (json === null || typeof json !== 'object' || !Array.isArray(json.weightsManifest)) {
    // tfjs would fail later with "specs is not iterable".
    throw new LoupeError('model-load-failed', `${url} has no weightsManifest: it is not a complete TF.js model (the converter lists the weight files there).`);
  }
  const { specs, data } = await fetchWeights(json.weightsManifest, url, fetchFunc, onProgress);
  return tf.io.getModelArtifactsForJSONSync(json, specs, data);
}

/** The context a descriptor's own `load()` gets: the checked fetches above, bound to `url`. */
export function loadContext(url: string, fetchFunc: typeof fetch, onProgress?: (fraction: number) => void): LoadContext {
  return {
    url,
    fetch: fetchFunc,
    onProgress,
    loadArtifacts: () => loadArtifacts(url, fetchFunc, onProgress),
    loadWeights: (manifest) => fetchWeights(manifest, url, fetchFunc, onProgress),
  };
}

/**
 * Decodes fetched weights into tensors, all or none: a decode that fails half-way releases the tensors
 * it made (`tf.tidy` ends its scope on a throw too). Errors are `model-load-failed` naming `url`.
 */
export function decodeWeights(weights: FetchedWeights, url: string): tf.NamedTensorMap {
  try {
    return tf.tidy(() => tf.io.decodeWeights(weights.data, weights.specs));
  } catch (error) {
    throw new LoupeError('model-load-failed', `The weights of ${url} do not match its manifest: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** `build(map)`, releasing every tensor of `map` when it throws (a custom loader's network assembly). */
export function buildFromWeights<T>(map: tf.NamedTensorMap, build: (map: tf.NamedTensorMap) => T): T {
  try {
    return build(map);
  } catch (error) {
    tf.dispose(Object.values(map).filter((tensor) => !tensor.isDisposed));
    throw error;
  }
}

/** A tfjs graph model that runs only the descriptor's `outputs` (async when the graph has dynamic ops). */
export async function loadGraph(descriptor: ModelDescriptor, url: string, fetchFunc: typeof fetch, onProgress?: (fraction: number) => void): Promise<RunnableModel> {
  let graph: tf.GraphModel;
  try {
    // Our own fetches (loadArtifacts), not tf.io.http: also non-http URLs (file:// with a custom fetch in Node).
    const handler: tf.io.IOHandler = { load: () => loadArtifacts(url, fetchFunc, onProgress) };
    // GPU backends: static subgraphs (shape constants) become constants, so execute() makes no
    // synchronous GPU reads. On WASM/CPU those reads are plain memory reads and folding only costs load
    // time (the folded graph measured no faster there: docs/performance.md).
    // Rectangular-input models: the input's height and width become −1 before folding (see rect-input.ts).
    const checked = relaxInputSize(handler, descriptor);
    const gpu = isGpuBackend(tf.getBackend());
    graph = await tf.loadGraphModel(gpu ? foldingHandler(checked) : checked);
  } catch (error) {
    throw asLoupeError(error, 'model-load-failed', `Loading '${descriptor.id}' from ${url} failed`);
  }
  let sizer: InputSizer | null;
  try {
    checkGraph(graph, descriptor);
    sizer = inputSizer(graph, descriptor);
  } catch (error) {
    graph.dispose();
    throw error;
  }
  const inputName = descriptor.input.name;
  allowAnyBatch(graph, inputName); // small-object mode's tiles, when the graph computes a batch (checked on first use)
  const outputs = [...descriptor.outputs];
  const asList = (raw: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(raw) ? raw : [raw]);
  const runnable: RunnableModel = {
    execute: (input) => {
      sizer?.prepare(input);
      return asList(graph.execute({ [inputName]: input }, outputs));
    },
    dispose: () => {
      sizer?.release();
      graph.dispose();
    },
  };
  // graph.execute() is synchronous (it throws for graphs that need executeAsync): compile-only is safe.
  compilable.add(runnable);
  return runnable;
}

/** Runnables whose `execute()` is synchronous and reads no value it computes (warm-up by compile-only). */
const compilable = new WeakSet<RunnableModel>();

/** Whether `runnable` can be warmed up by compile-only (a graph loaded here: synchronous `execute()`). */
export function isCompilable(runnable: RunnableModel): boolean {
  return compilable.has(runnable);
}

interface GraphInternals {
  nodes?: Record<string, GraphNodeInternals>;
  weightMap?: Record<string, tf.Tensor[]>;
  setWeightMap(map: Record<string, tf.Tensor[]>): void;
}
interface GraphNodeInternals {
  name: string;
  op: string;
  inputs?: GraphNodeInternals[];
  children?: GraphNodeInternals[];
  attrParams?: { shape?: { value?: number[] } };
}

function internalsOf(graph: tf.GraphModel): GraphInternals {
  const executor = (graph as unknown as { executor?: { graph?: { nodes?: Record<string, GraphNodeInternals> }; weightMap?: Record<string, tf.Tensor[]> } }).executor;
  return {
    nodes: executor?.graph?.nodes,
    weightMap: executor?.weightMap,
    setWeightMap: (map) => {
      // The setter also records the weights' ids, which the executor keeps when it frees intermediates.
      if (executor) executor.weightMap = map;
    },
  };
}

/**
 * Reshape targets that fix the batch at 1 (`[1, a, b, …]` constants, as a folded ONNX export's are) →
 * `[-1, a, b, …]`, which is the same reshape for one image and keeps the batch for N. Only constants with
 * no other −1, of which every consumer is a Reshape taking it as its shape. Returns how many it rewrote.
 */
export function relaxBatchReshapes(graph: tf.GraphModel): number {
  const { nodes, weightMap, setWeightMap } = internalsOf(graph);
  if (!nodes || !weightMap) return 0;
  const replaced: Record<string, tf.Tensor[]> = {};
  for (const node of Object.values(nodes)) {
    if (node.op !== 'Reshape') continue;
    const target = node.inputs?.[1];
    if (!target || target.op !== 'Const' || replaced[target.name]) continue;
    const held = weightMap[target.name]?.[0];
    if (!held || held.rank !== 1 || held.dtype !== 'int32' || held.size < 2) continue;
    if (!(target.children ?? []).every((child) => child.op === 'Reshape' && child.inputs?.[1] === target && child.inputs?.[0] !== target)) continue;
    const values = Array.from(held.dataSync());
    if (values[0] !== 1 || values.includes(-1)) continue;
    replaced[target.name] = [tf.tensor1d([-1, ...values.slice(1)], 'int32')];
  }
  const names = Object.keys(replaced);
  if (names.length === 0) return 0;
  const old = names.map((name) => weightMap[name]!).flat();
  setWeightMap({ ...weightMap, ...replaced });
  tf.dispose(old);
  return names.length;
}

/**
 * Lets a graph model's declared input take any batch size (`[1, …]` → `[-1, …]` in the signature tfjs
 * checks inputs against) and relaxes reshape targets that fix the batch at 1 (`relaxBatchReshapes`).
 * Whether the graph computes a batch correctly is checked on first use.
 */
export function allowAnyBatch(graph: tf.GraphModel, inputName: string): void {
  const shape = internalsOf(graph).nodes?.[inputName]?.attrParams?.shape?.value;
  if (Array.isArray(shape) && shape[0] === 1) shape[0] = -1;
  relaxBatchReshapes(graph);
}
