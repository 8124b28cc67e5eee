// One load path for every registry model (src/runtime/load-graph.ts: loadArtifacts / fetchWeights, given
// to custom loaders as LoadContext): the real model files in Node on the CPU backend, served by a fetch
// that can drop, cut or pad the weight file. Each failure is a typed model-load-failed naming the file,
// leaves no tensor and no unhandled rejection (tfjs's own loader left one for a failed shard).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, LoupeError } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch } from '../node.js';

const MODELS = ['centernet', 'nanodet', 'yolo-face', 'yolo-face-small'] as const;

/** A fetch of the real files in which the weight file (`.bin`) is replaced by `change(bytes)`, or 404s. */
function weightsChanged(change: ((bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>) | 'missing'): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith('.bin')) return fileFetch(input, init);
    if (change === 'missing') return new Response(null, { status: 404, statusText: 'Not Found' });
    const bytes = new Uint8Array(await (await fileFetch(input, init)).arrayBuffer());
    return new Response(change(bytes), { status: 200 });
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  process.on('unhandledRejection', onUnhandled);
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('model files through the one checked load path (Node, CPU)', () => {
  it.each(MODELS)('%s: a missing, truncated or padded weight file is model-load-failed, with progress, no tensor left, no unhandled rejection', async (model) => {
    const before = tf.memory().numTensors;
    const cases: [string, ReturnType<typeof weightsChanged>, RegExp][] = [
      ['missing', weightsChanged('missing'), /\.bin answered HTTP 404 Not Found/],
      ['truncated', weightsChanged((bytes) => bytes.subarray(0, bytes.length - 100)), /hold (\d+) bytes, but its manifest describes \d+: the files do not belong together/],
      ['1,000 extra bytes', weightsChanged((bytes) => new Uint8Array([...bytes, ...new Uint8Array(1000)])), /hold (\d+) bytes, but its manifest describes \d+/],
    ];
    for (const [name, fetchFunc, says] of cases) {
      const progress: number[] = [];
      const error = await createDetector({ model, backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fetchFunc, onProgress: (f) => progress.push(f) }).catch((e: unknown) => e);
      expect(error, `${model} ${name}`).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).type, `${model} ${name}`).toBe('model-load-failed');
      expect((error as LoupeError).message, `${model} ${name}`).toMatch(says);
      expect(progress.every((f) => f < 1), `${model} ${name}: progress never reports a failed load as complete`).toBe(true);
      expect(tf.memory().numTensors, `${model} ${name}: tensors left behind`).toBe(before);
    }
    // Let any stray rejection of the failed loads surface before looking.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled, `${model}: unhandled rejections`).toEqual([]);
  });

  it('progress goes by bytes, rises monotonically and ends at 1; the model then works', async () => {
    // The weight file arrives in four chunks: each moves the progress by a quarter of its bytes.
    const chunked: typeof fetch = async (input, init) => {
      const response = await fileFetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith('.bin')) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      const quarter = Math.ceil(bytes.length / 4);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += quarter) controller.enqueue(bytes.slice(at, at + quarter));
          controller.close();
        },
      });
      return new Response(body, { status: 200 });
    };
    const progress: number[] = [];
    const detector = await createDetector({ model: 'yolo-face', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: chunked, onProgress: (f) => progress.push(f) });
    try {
      expect(progress.at(-1)).toBe(1);
      expect(progress.slice(0, -1).every((f) => f < 1)).toBe(true);
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
      for (const quarter of [0.25, 0.5, 0.75]) expect(progress.some((f) => Math.abs(f - quarter) < 0.01), `${quarter} reached`).toBe(true);
      const frame = tf.zeros([64, 64, 3], 'int32') as tf.Tensor3D;
      const result = await detector.detect(frame);
      frame.dispose();
      expect(result.detections).toEqual([]);
    } finally {
      detector.dispose();
    }
  });
});
