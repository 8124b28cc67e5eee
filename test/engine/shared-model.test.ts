// Detectors of one model share one loaded graph (Node, CPU backend, the real Tiny Face Detector weights at 128 px: fast).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createDetector, loadedModels, selectBackend } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../node.js';

describe('shared models', () => {
  it('two detectors of one model load it once, keep their own options, and free it with the last dispose', async () => {
    await selectBackend('cpu');
    const before = tf.memory().numTensors;
    let fetches = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith('.json')) fetches += 1;
      return fileFetch(input, init);
    };
    const options = { model: 'yolo-face', inputSize: 128, backend: 'cpu' as const, modelBaseUrl: NODE_MODEL_BASE_URL, fetch: counting };
    const [strict, loose] = await Promise.all([createDetector({ ...options, scoreThreshold: 0.9 }), createDetector({ ...options, scoreThreshold: 0.01 })]);
    expect(fetches).toBe(1);
    const weights = tf.memory().numTensors - before;
    expect(weights).toBeGreaterThan(0);
    expect(loadedModels().filter((m) => m.key.includes('yolo-face'))).toEqual([expect.objectContaining({ users: 2, loaded: true })]);

    const frame = await readJpegTensor('node_modules/@vladmandic/face-api/demo/sample1.jpg');
    const a = await strict.detect(frame);
    const b = await loose.detect(frame);
    expect(a.detections.every((d) => d.score >= 0.9)).toBe(true);
    expect(b.detections.length).toBeGreaterThan(a.detections.length);
    frame.dispose();

    strict.dispose();
    expect(tf.memory().numTensors - before, 'the other detector still holds the weights').toBe(weights);
    const blank = tf.zeros([64, 64, 3], 'int32') as tf.Tensor3D;
    await expect(loose.detect(blank)).resolves.toBeDefined();
    blank.dispose();
    loose.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tf.memory().numTensors).toBe(before);
    expect(loadedModels().filter((m) => m.key.includes('yolo-face'))).toEqual([]);
  });
});
