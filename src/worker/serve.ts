/**
 * The Worker side of worker mode: answers the page's messages (src/worker/protocol.ts) with real engine
 * detectors. The engine never names a model, so the Worker's entry (models/worker-entry.ts) hands in
 * the model-aware `createDetector`.
 */
import * as tf from '@tensorflow/tfjs';
import { loadedModels, runOptionRulesOf } from '../detector.js';
import { LoupeError } from '../errors.js';
import { channelOf, levelMapsOf, type LevelMapRefs } from '../maps.js';
import { HeatmapRenderer, heatmapPlacement, isColormapName, mapPeak } from '../render/heatmap.js';
import type { DetectionMaps, Detector, DetectorOptions, DrawnWorkerMap, FrameSource, LetterboxTransform, WorkerLevelMaps, WorkerMapDrawRequest, WorkerMapReadRequest } from '../types.js';
import { errorToWire, resultToWire, type FromWorker, type ToWorker, type WireFrame, type WireMaps } from './protocol.js';

/** The part of a dedicated Worker's global scope this needs (the DOM lib has no WorkerGlobalScope type). */
export interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
}

/** The frame as the engine takes it, and how to release what crossed once the frame is done. */
function frameOf(wire: WireFrame): { source: FrameSource; release(): void } {
  switch (wire.kind) {
    case 'bitmap':
      return { source: wire.bitmap, release: () => wire.bitmap.close() };
    case 'video-frame':
      return { source: wire.frame, release: () => wire.frame.close() };
    case 'image-data':
      return { source: wire.image, release: () => undefined };
    case 'tensor': {
      const tensor = tf.tensor3d(wire.values, wire.shape, wire.dtype);
      return { source: tensor, release: () => tensor.dispose() };
    }
  }
}

/** A result's maps kept in the Worker for the page (`DetectionResult.workerMaps` there), until it lets go. */
interface HeldMaps {
  maps: DetectionMaps;
  levels: LevelMapRefs[];
  letterbox: LetterboxTransform;
}

function shape3(map: { tensor: tf.Tensor }): [number, number, number] {
  const [h = 0, w = 0, c = 0] = map.tensor.shape;
  return [h, w, c];
}

/** What each level of `held` has, as the page sees it. */
function describeLevels(levels: readonly LevelMapRefs[]): WorkerLevelMaps[] {
  return levels.map((level) => {
    const described: WorkerLevelMaps = { stride: level.stride, cellOrigin: level.scores.cellOrigin, scores: shape3(level.scores) };
    if (level.regression) described.regression = shape3(level.regression);
    if (level.objectness) described.objectness = shape3(level.objectness);
    return described;
  });
}

function levelOf(held: HeldMaps, index: number): LevelMapRefs {
  const level = held.levels[index];
  if (!level) throw new LoupeError('bad-option', `The result has no output level ${index} (it has ${held.levels.length}).`);
  return level;
}

/**
 * Colour-maps one map with the engine's renderer on an OffscreenCanvas, from where the map lies (a
 * render pass, a texture, or 8-bit indices on CPU backends: src/render/heatmap.ts), as a transferable bitmap.
 */
async function drawHeld(renderer: HeatmapRenderer<OffscreenCanvas>, held: HeldMaps, request: WorkerMapDrawRequest): Promise<DrawnWorkerMap> {
  const level = levelOf(held, request.level);
  const name = request.map ?? 'scores';
  const whole = name === 'objectness' ? level.objectness : level.scores;
  if (!whole) throw new LoupeError('bad-option', `Output level ${request.level} has no ${name} map.`);
  const colormap = request.colormap ?? 'inferno';
  if (!isColormapName(colormap)) throw new LoupeError('bad-option', `colormap '${colormap}' is not one of inferno, magma, viridis, cividis, turbo, grey.`);
  let map = whole;
  if (name === 'objectness') {
    const channel = request.channel ?? 0;
    const channels = whole.tensor.shape[2] ?? 0;
    if (!Number.isInteger(channel) || channel < 0 || channel >= channels) throw new LoupeError('bad-option', `Objectness channel ${channel} is not one of 0..${channels - 1}.`);
    map = channelOf(whole, channel);
  }
  try {
    const canvas = await renderer.render(map, { classId: request.classId ?? null, colormap });
    const drawn: DrawnWorkerMap = { bitmap: canvas.transferToImageBitmap(), placement: heatmapPlacement(held.letterbox, map), path: renderer.path ?? 'cpu-8bit', channels: map.tensor.shape[2] ?? 0 };
    if (request.peak) drawn.peak = await mapPeak(map, request.classId ?? null);
    return drawn;
  } finally {
    if (map !== whole) map.dispose();
  }
}

/** One cell's channels of a map, or the whole map, as float32 values read off the Worker's backend. */
async function readHeld(held: HeldMaps, request: WorkerMapReadRequest): Promise<Float32Array> {
  const map = levelOf(held, request.level)[request.map];
  if (!map) throw new LoupeError('bad-option', `Output level ${request.level} has no ${request.map} map.`);
  const [rows, cols, channels] = shape3(map);
  const cell = request.cell;
  if (cell && !(Number.isInteger(cell.x) && Number.isInteger(cell.y) && cell.x >= 0 && cell.y >= 0 && cell.x < cols && cell.y < rows)) {
    throw new LoupeError('bad-option', `Cell (${cell.x}, ${cell.y}) is outside the ${cols}×${rows} map.`);
  }
  const part = cell ? tf.tidy(() => tf.cast(map.tensor.slice([cell.y, cell.x, 0], [1, 1, channels]), 'float32')) : tf.cast(map.tensor, 'float32');
  try {
    return (await part.data()) as Float32Array;
  } finally {
    part.dispose();
  }
}

export function serveDetectors(scope: WorkerScope, create: (options: DetectorOptions) => Promise<Detector>): void {
  const detectors = new Map<number, Detector>();
  /** Loads in progress, by their create's id, to abort when the page gives up. */
  const loads = new Map<number, AbortController>();
  const held = new Map<number, HeldMaps>();
  let lastHandle = 0;
  // One renderer for every draw, one draw at a time (its canvas is reused).
  let renderer: HeatmapRenderer<OffscreenCanvas> | null = null;
  let drawing: Promise<unknown> = Promise.resolve();
  const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
  const heldOf = (handle: number): HeldMaps => {
    const maps = held.get(handle);
    if (!maps) throw new LoupeError('disposed', "The result's maps were disposed.");
    return maps;
  };
  const detectorOf = (id: number): Detector => {
    const detector = detectors.get(id);
    if (!detector) throw new LoupeError('disposed', 'The detector was disposed.');
    return detector;
  };

  scope.addEventListener('message', (event) => {
    const message = event.data;
    switch (message.type) {
      case 'create': {
        const { id } = message;
        const controller = new AbortController();
        loads.set(id, controller);
        const options: DetectorOptions = { ...message.options, signal: controller.signal };
        if (message.progress) options.onProgress = (fraction) => post({ type: 'progress', id, fraction });
        if (message.phase) options.onPhase = (phase, fraction) => post({ type: 'phase', id, phase, fraction });
        create(options)
          .finally(() => loads.delete(id))
          .then((detector) => {
            detectors.set(id, detector);
            const rules = runOptionRulesOf(detector);
            if (!rules) throw new Error('a detector without option rules');
            const { model, labels, backend, inputSize, warmUp, runOptions } = detector;
            post({ type: 'created', id, info: { model, labels: [...labels], backend, inputSize, warmUp, runOptions: { ...runOptions }, rules } });
          })
          .catch((error: unknown) => post({ type: 'failed', id, error: errorToWire(error) }));
        return;
      }
      case 'detect': {
        const { id } = message;
        const frame = frameOf(message.frame);
        Promise.resolve()
          .then(() => detectorOf(message.detector).detect(frame.source, message.call))
          .then(
            (result) => {
              const wire = resultToWire(result);
              if (!result.maps) return post({ type: 'result', id, result: wire });
              // The maps stay here, for the page to draw or read (`workerMaps`) until it lets them go.
              const handle = ++lastHandle;
              const levels = levelMapsOf(result.maps);
              held.set(handle, { maps: result.maps, levels, letterbox: result.letterbox });
              const maps: WireMaps = { handle, levels: describeLevels(levels) };
              post({ type: 'result', id, result: wire, maps });
            },
            (error: unknown) => post({ type: 'failed', id, error: errorToWire(error) }),
          )
          .finally(() => frame.release());
        return;
      }
      case 'set-options': {
        // Already validated on the page's side with the same rules; an error here is still reported.
        try {
          detectorOf(message.detector).setOptions(message.patch);
          post({ type: 'done', id: message.id });
        } catch (error) {
          post({ type: 'failed', id: message.id, error: errorToWire(error) });
        }
        return;
      }
      case 'memory': {
        const { numTensors, numBytes } = tf.memory();
        // (getBackend() only names the active backend; tf.backend() would start one.)
        const wasm = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm : undefined;
        post({ type: 'memory', id: message.id, memory: { numTensors, numBytes, detectors: detectors.size, heldMaps: held.size, wasmHeap: wasm?.HEAPU8.byteLength ?? 0, models: loadedModels() } });
        return;
      }
      case 'draw-map': {
        const { id } = message;
        drawing = drawing
          .then(() => {
            renderer ??= new HeatmapRenderer(() => new OffscreenCanvas(1, 1));
            return drawHeld(renderer, heldOf(message.handle), message.request);
          })
          .then(
            (drawn) => post({ type: 'drawn', id, drawn }, [drawn.bitmap]),
            (error: unknown) => post({ type: 'failed', id, error: errorToWire(error) }),
          );
        return;
      }
      case 'read-map': {
        const { id } = message;
        Promise.resolve()
          .then(() => readHeld(heldOf(message.handle), message.request))
          .then(
            (values) => post({ type: 'map-values', id, values }, [values.buffer]),
            (error: unknown) => post({ type: 'failed', id, error: errorToWire(error) }),
          );
        return;
      }
      case 'release-maps': {
        held.get(message.handle)?.maps.dispose();
        held.delete(message.handle);
        return;
      }
      case 'watch-loss': {
        const { id } = message;
        Promise.resolve()
          .then(() => detectorOf(message.detector).whenLost())
          .then(
            (error) => post({ type: 'lost', id, error: errorToWire(error) }),
            (error: unknown) => post({ type: 'failed', id, error: errorToWire(error) }),
          );
        return;
      }
      case 'abort': {
        loads.get(message.id)?.abort(new LoupeError('aborted', 'The page gave up the load.'));
        return;
      }
      case 'dispose': {
        detectors.get(message.detector)?.dispose();
        detectors.delete(message.detector);
        return;
      }
    }
  });
  post({ type: 'ready' });
}
