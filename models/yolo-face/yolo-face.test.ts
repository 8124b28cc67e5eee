// The face detector must reproduce face-api's own `locateFaces` (run here, in the same process, on the same
// tfjs CPU backend) on the demo images that ship in @vladmandic/face-api, at two input sizes.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, LoupeError } from '../index.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../../test/node.js';
import type { Detection, Detector } from '../../src/types.js';
import { preprocessYoloFace } from './descriptor.js';
import { runTinyFaceDetector, weightsFromMap, disposeWeights, type TinyFaceWeights } from './network.js';

/** The part of face-api's API the reference needs (its CommonJS Node build, on our own tfjs). */
interface FaceApiBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface FaceApi {
  nets: {
    tinyFaceDetector: {
      loadFromWeightMap(map: tf.NamedTensorMap): Promise<void>;
      locateFaces(input: tf.Tensor3D, options: unknown): Promise<{ score: number; box: FaceApiBox }[]>;
      forward(input: tf.Tensor3D, inputSize: number): Promise<tf.Tensor4D>;
      dispose(): void;
    };
  };
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_DIR = `${root}node_modules/@vladmandic/face-api/model/`;
const SAMPLES = ['sample1.jpg', 'sample3.jpg', 'sample6.jpg'].map((name) => `node_modules/@vladmandic/face-api/demo/${name}`);
const SIZES = [416, 320];

/** face-api's own weight map, decoded from the same files (what its `loadFromUri` ends up with). */
async function faceApiWeightMap(): Promise<tf.NamedTensorMap> {
  const manifest = JSON.parse(await readFile(`${MODEL_DIR}tiny_face_detector_model-weights_manifest.json`, 'utf8')) as {
    paths: string[];
    weights: tf.io.WeightsManifestEntry[];
  }[];
  const group = manifest[0]!;
  const bytes = await readFile(`${MODEL_DIR}${group.paths[0]!}`);
  return tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), group.weights);
}

async function faceDetector(inputSize?: number, fetchFunc: typeof fetch = fileFetch): Promise<Detector> {
  return createDetector({ model: 'yolo-face', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fetchFunc, inputSize });
}

describe('yolo-face vs face-api locateFaces (Node, CPU backend)', () => {
  let faceapi: FaceApi;
  const frames = new Map<string, tf.Tensor3D>();
  const detectors = new Map<number, Detector>();
  let weights: TinyFaceWeights;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    faceapi = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    await tf.setBackend('cpu'); // face-api's Node build registers wasm; the reference runs on the same CPU backend
    await faceapi.nets.tinyFaceDetector.loadFromWeightMap(await faceApiWeightMap());
    weights = weightsFromMap(await faceApiWeightMap());
    for (const path of SAMPLES) frames.set(path, await readJpegTensor(path));
    for (const size of SIZES) detectors.set(size, await faceDetector(size));
  });

  afterAll(() => {
    for (const detector of detectors.values()) detector.dispose();
    for (const frame of frames.values()) frame.dispose();
    faceapi?.nets.tinyFaceDetector.dispose();
    if (weights) disposeWeights(weights);
  });

  it.each(SIZES)('the network and preprocessing give face-api’s conv8 output at %i', async (size) => {
    const frame = frames.get(SAMPLES[0]!)!;
    const theirs = await faceapi.nets.tinyFaceDetector.forward(frame, size);
    const { input } = preprocessYoloFace(frame, size);
    const ours = runTinyFaceDetector(weights, input);
    const cells = size / 32;
    expect(ours.shape).toEqual([1, cells, cells, 25]);
    expect(theirs.shape).toEqual(ours.shape);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!);
    tf.dispose([theirs, input, ours]);
    console.log(`conv8 max |Δ| at ${size}: ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-3);
  });

  const cases = SIZES.flatMap((size) => SAMPLES.map((path) => [size, path] as const));
  it.each(cases)('same faces as locateFaces at %i on %s (boxes to 0.5 px, scores to 1e-3)', async (size, path) => {
    const frame = frames.get(path)!;
    const reference = await faceapi.nets.tinyFaceDetector.locateFaces(frame, new faceapi.TinyFaceDetectorOptions({ inputSize: size, scoreThreshold: 0.5 }));
    const result = await detectors.get(size)!.detect(frame);
    const theirs = reference.map(({ score, box }) => ({ score, x: box.x, y: box.y, width: box.width, height: box.height }));
    const ours = result.detections;
    let maxBox = 0;
    let maxScore = 0;
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours.map((d) => d.label)).toEqual(theirs.map(() => 'face'));
    expect(ours).toHaveLength(theirs.length);
    const [height, width] = frame.shape;
    for (const [i, d] of ours.entries()) {
      const ref = theirs[i]!;
      // face-api does not clip: compare with its box clipped to the image, as ours is.
      const rx2 = Math.min(ref.x + ref.width, width);
      const ry2 = Math.min(ref.y + ref.height, height);
      const rx1 = Math.max(ref.x, 0);
      const ry1 = Math.max(ref.y, 0);
      maxBox = Math.max(maxBox, Math.abs(d.x - rx1), Math.abs(d.y - ry1), Math.abs(d.x + d.width - rx2), Math.abs(d.y + d.height - ry2));
      maxScore = Math.max(maxScore, Math.abs(d.score - ref.score));
      // Provenance: the responsible cell holds the box centre's grid cell (in input px, before clipping).
      expect(d.cell.level).toBe(0);
      expect(d.cell.stride).toBe(32);
      expect(d.cell.anchor).toBeLessThan(5);
    }
    console.log(`${path.split('/').pop()} @${size}: ${ours.length} faces, max |Δbox| ${maxBox.toExponential(2)} px, max |Δscore| ${maxScore.toExponential(2)}`);
    expect(maxBox).toBeLessThan(0.5);
    expect(maxScore).toBeLessThan(1e-3);
  });
});

describe('yolo-face detector (load, leaks, errors)', () => {
  let frame: tf.Tensor3D;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    frame = await readJpegTensor('node_modules/@vladmandic/face-api/demo/sample1.jpg');
  });

  afterAll(() => frame?.dispose());

  it('leaks no tensor over repeated detect(), with and without maps, and frees its weights on dispose', async () => {
    const baseline = tf.memory().numTensors;
    const detector = await faceDetector(320);
    await detector.detect(frame); // warm-up
    const before = tf.memory().numTensors;
    await detector.detect(frame);
    const withMaps = await detector.detect(frame, { maps: true });
    expect(withMaps.maps?.heatmap?.tensor.shape).toEqual([10, 10, 1]);
    expect(withMaps.maps?.levels?.[0]?.objectness?.tensor.shape).toEqual([10, 10, 5]);
    expect(tf.memory().numTensors).toBe(before + 3); // scores (= heatmap), objectness, regression
    // The objectness map holds each face's score at its cell and anchor.
    const objectness = (await withMaps.maps!.levels![0]!.objectness!.tensor.array()) as number[][][];
    for (const { cell, score } of withMaps.detections) expect(objectness[cell.y]![cell.x]![cell.anchor]).toBeCloseTo(score, 6);
    withMaps.dispose();
    expect(tf.memory().numTensors).toBe(before);
    detector.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('reports a missing weight file as model-load-failed, naming the URL', async () => {
    const missingBin: typeof fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return url.endsWith('.bin') ? new Response('not here', { status: 404, statusText: 'Not Found' }) : fileFetch(input, init);
    };
    const error = await faceDetector(undefined, missingBin).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).type).toBe('model-load-failed');
    expect((error as LoupeError).message).toMatch(/tiny_face_detector_model\.bin.*404/);
  });

  it('reports truncated weights as model-load-failed', async () => {
    const truncated: typeof fetch = async (input, init) => {
      const response = await fileFetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return url.endsWith('.bin') ? new Response((await response.arrayBuffer()).slice(0, 1000)) : response;
    };
    const before = tf.memory().numTensors;
    const error = await faceDetector(undefined, truncated).catch((e: unknown) => e);
    expect((error as LoupeError).type).toBe('model-load-failed');
    expect((error as LoupeError).message).toMatch(/1000 bytes/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports weights of another network as model-mismatch, leaking nothing', () => {
    const before = tf.memory().numTensors;
    const map = { 'conv0/filters': tf.zeros([3, 3, 3, 8]), 'conv0/bias': tf.zeros([8]) };
    expect(() => weightsFromMap(map)).toThrow(/conv0\/filters is \[3, 3, 3, 8\], expected \[3, 3, 3, 16\].*conv1\/depthwise_filter is missing/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maps each face back to its responsible cell: the box centre lies in that cell (in input px)', async () => {
    const detector = await faceDetector(416);
    const result = await detector.detect(frame);
    detector.dispose();
    expect(result.detections.length).toBeGreaterThanOrEqual(3);
    const { letterbox } = result;
    for (const d of result.detections as Detection[]) {
      const cx = (d.x + d.width / 2) * letterbox.scaleX;
      const cy = (d.y + d.height / 2) * letterbox.scaleY;
      expect(Math.floor(cx / 32)).toBe(d.cell.x);
      expect(Math.floor(cy / 32)).toBe(d.cell.y);
      expect(d.cell.priorX).toBeCloseTo((32 * d.cell.x + 16) / letterbox.scaleX, 6);
      expect(d.cell.priorY).toBeCloseTo((32 * d.cell.y + 16) / letterbox.scaleY, 6);
    }
  });
});
