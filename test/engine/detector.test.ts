// The whole engine in Node on the tfjs CPU backend, with the real CenterNet weights and a real frame.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, LoupeError, selectBackend } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../node.js';
import type { Detection, Detector } from '../../src/types.js';

describe('createDetector (Node, CPU backend)', () => {
  let detector: Detector;
  let frame: tf.Tensor3D;

  beforeAll(async () => {
    const progress: number[] = [];
    detector = await createDetector({
      model: 'centernet',
      backend: 'cpu',
      modelBaseUrl: NODE_MODEL_BASE_URL,
      fetch: fileFetch,
      scoreThreshold: 0.3,
      onProgress: (fraction) => progress.push(fraction),
    });
    expect(progress.at(-1)).toBe(1);
    frame = await readJpegTensor('models/centernet/fixtures/street-frame.jpg');
  });

  afterAll(() => {
    detector?.dispose();
    frame?.dispose();
  });

  it('finds people in a street frame, in source pixels, sorted, clipped', async () => {
    const result = await detector.detect(frame);
    const [height, width] = frame.shape;
    expect(result.backend).toBe('cpu');
    expect(result.letterbox).toMatchObject({ sourceWidth: width, sourceHeight: height });
    const people = result.detections.filter((d) => d.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(2);
    for (const [i, d] of result.detections.entries()) {
      expect(d.score).toBeGreaterThanOrEqual(0.3);
      if (i > 0) expect(d.score).toBeLessThanOrEqual(result.detections[i - 1]!.score);
      expect(d.x).toBeGreaterThanOrEqual(0);
      expect(d.y).toBeGreaterThanOrEqual(0);
      expect(d.x + d.width).toBeLessThanOrEqual(width + 1e-3);
      expect(d.y + d.height).toBeLessThanOrEqual(height + 1e-3);
      // Pedestrians in this clip are 20–90 px tall and upright.
      if (d.label === 'person') expect(d.height).toBeGreaterThan(d.width);
    }
    expect(result.timings.total).toBeGreaterThanOrEqual(result.timings.infer);
    expect(result.maps).toBeUndefined();
  });

  it('with rectInput, runs a 4:3 frame as a 512 × 384 input and finds the same people as the square input', async () => {
    // Shares the loaded model with `detector`: the graph's size constants follow each input's size.
    const rectangular = await createDetector({ model: 'centernet', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, scoreThreshold: 0.3, rectInput: true });
    try {
      const rect = await rectangular.detect(frame);
      const reference = await detector.detect(frame);
      const again = await rectangular.detect(frame);
      expect(again.detections).toEqual(rect.detections);
      expect(rect.letterbox).toMatchObject({ inputWidth: 512, inputHeight: 384, contentHeight: 384, padY: 0 });
      expect(rect.levels[0]).toMatchObject({ stride: 4, width: 128, height: 96 });
      expect(reference.letterbox).toMatchObject({ inputWidth: 512, inputHeight: 512, padY: 64 });
      expect(reference.levels[0]).toMatchObject({ width: 128, height: 128 });
      // The same content, less border: every confident person of the square input is found again.
      const iou = (a: Detection, b: Detection): number => {
        const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
        const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
        return (w * h) / (a.width * a.height + b.width * b.height - w * h);
      };
      const confident = reference.detections.filter((d) => d.label === 'person' && d.score >= 0.5);
      expect(confident.length).toBeGreaterThanOrEqual(2);
      for (const person of confident) {
        const best = Math.max(...rect.detections.filter((d) => d.label === 'person').map((d) => iou(d, person)));
        expect(best, `person at ${Math.round(person.x)},${Math.round(person.y)}`).toBeGreaterThan(0.7);
      }
      // Cells are those of the 128 × 96 grid: the prior point lies in (or on the edge of) its box.
      for (const d of rect.detections) {
        expect(d.cell.y).toBeLessThan(96);
        expect(d.cell.priorY).toBeGreaterThanOrEqual(d.y - 4);
        expect(d.cell.priorY).toBeLessThanOrEqual(d.y + d.height + 4);
      }
    } finally {
      rectangular.dispose();
    }
  });

  it('leaks no tensor over repeated detect(), with and without maps', async () => {
    await detector.detect(frame); // warm-up: lazily created constants
    const before = tf.memory().numTensors;
    await detector.detect(frame);
    const withMaps = await detector.detect(frame, { maps: true });
    expect(withMaps.maps?.heatmap?.tensor.shape).toEqual([128, 128, 80]);
    expect(tf.memory().numTensors).toBe(before + 2); // exactly the two maps the caller now owns
    withMaps.dispose();
    withMaps.dispose(); // idempotent
    expect(withMaps.maps?.heatmap?.disposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('applies options and rejects bad ones with a typed error, keeping the previous value', async () => {
    detector.setOptions({ maxDetections: 2, scoreThreshold: 0 });
    expect((await detector.detect(frame)).detections).toHaveLength(2);
    expect(() => detector.setOptions({ scoreThreshold: 1.5 })).toThrowError(LoupeError);
    expect(() => detector.setOptions({ maxDetections: 0 })).toThrowError(/maxDetections/);
    expect((await detector.detect(frame)).detections).toHaveLength(2);
    detector.setOptions({ maxDetections: 100, scoreThreshold: 0.3 });
  });

  it('rejects frames it cannot read', async () => {
    const grey = tf.zeros([10, 10]) as tf.Tensor2D;
    await expect(detector.detect(grey as unknown as tf.Tensor3D)).rejects.toMatchObject({ type: 'bad-input' });
    grey.dispose();
  });
});

describe('createDetector errors', () => {
  it('names unknown models', async () => {
    await expect(createDetector({ model: 'nope' })).rejects.toMatchObject({ type: 'unknown-model' });
  });

  it('reports a missing model file as model-load-failed', async () => {
    await expect(
      createDetector({ model: 'centernet', backend: 'cpu', modelBaseUrl: 'file:///nonexistent/', fetch: fileFetch }),
    ).rejects.toMatchObject({ type: 'model-load-failed' });
  });

  it('refuses a model base URL no file name resolves in as bad-option, before loading anything', async () => {
    for (const modelBaseUrl of ['javascript:x//', 'data:', 'blob:', 'http://[::1']) {
      const error = await createDetector({ model: 'centernet', backend: 'cpu', modelBaseUrl, fetch: fileFetch }).catch((e: unknown) => e);
      expect(error, modelBaseUrl).toBeInstanceOf(LoupeError);
      expect(error, modelBaseUrl).toMatchObject({ type: 'bad-option', message: expect.stringContaining(`The model base URL '${modelBaseUrl}' is not a folder URL`) });
    }
  });
});

describe('selectBackend', () => {
  it("'auto' outside a browser skips WebGPU and WebGL and says why", async () => {
    const report = await selectBackend('auto');
    expect(['wasm', 'cpu']).toContain(report.backend);
    expect(report.skipped.map((s) => s.backend)).toEqual(expect.arrayContaining(['webgpu', 'webgl']));
    for (const s of report.skipped) expect(s.reason.length).toBeGreaterThan(10);
    await tf.setBackend('cpu');
  });

  it('an explicit unavailable backend is a typed failure, not a silent fallback', async () => {
    await expect(selectBackend('webgpu')).rejects.toMatchObject({ type: 'backend-failed' });
  });
});
