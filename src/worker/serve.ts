/**
 * The Worker side of worker mode: answers the page's messages (src/worker/protocol.ts) with real engine
 * detectors. The engine never names a model, so the Worker's entry (models/worker-entry.ts) hands in
 * the model-aware `createDetector`.
 */
import * as tf from '@tensorflow/tfjs';
import { runOptionRulesOf } from '../detector.js';
import { LoupeError } from '../errors.js';
import type { Detector, DetectorOptions, FrameSource } from '../types.js';
import { errorToWire, resultToWire, type FromWorker, type ToWorker, type WireFrame } from './protocol.js';

/** The part of a dedicated Worker's global scope this needs (the DOM lib has no WorkerGlobalScope type). */
export interface WorkerScope {
  postMessage(message: FromWorker): void;
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

export function serveDetectors(scope: WorkerScope, create: (options: DetectorOptions) => Promise<Detector>): void {
  const detectors = new Map<number, Detector>();
  /** Loads in progress, by their create's id, to abort when the page gives up. */
  const loads = new Map<number, AbortController>();
  const post = (message: FromWorker) => scope.postMessage(message);
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
              result.dispose();
              post({ type: 'result', id, result: wire });
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
        post({ type: 'memory', id: message.id, memory: { numTensors, numBytes, detectors: detectors.size } });
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
