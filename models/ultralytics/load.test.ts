// The URL-loading path end to end: a real (tiny, hand-built) TF.js graph model and a Keras layers model,
// written to a temp folder with a metadata.yaml, loaded through createDetector({ model: { url, format } })
// with a file:// fetch on the CPU backend.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoupeError, createDetector, loadedModels } from '../index.js';
import { fileFetch } from '../../test/node.js';
import { COLOUR_MODEL, COLOUR_NAMES, frameWithRedSquare, writeTinyModel } from '../../test/ultralytics.js';
import { ultralyticsLetterbox } from './preprocess.js';
import { tinyMetadataYaml, tinyUltralyticsGraph, type TinyGraphOptions } from './tiny-graph.js';

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'loupe-ultralytics-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a tiny graph model (and optionally metadata.yaml) into its own folder; returns the model.json URL. */
const writeTiny = (name: string, options: TinyGraphOptions, names?: readonly string[]): Promise<string> => writeTinyModel(root, name, options, names);

const NAMES = COLOUR_NAMES;

describe('Ultralytics export from a URL (real tfjs graph model, CPU)', () => {
  it('loads, reads metadata.yaml, and finds the red square in the right cell', async () => {
    const url = await writeTiny('colour', { ...COLOUR_MODEL, quantize: true }, NAMES);
    const detector = await createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu' });
    try {
      expect(detector.model).toBe(`ultralytics:${url}`);
      expect(detector.labels).toEqual(NAMES);
      expect(detector.inputSize).toEqual({ width: 64, height: 64 });
      // A 128 × 96 frame: r = 0.5, content 64 × 48, top = round(8 − 0.1) = 8. The red square covers the
      // stride-16 cell (1, 1) of the input, i.e. input [16, 32)², source x [32, 64), y [16, 48).
      const frame = frameWithRedSquare(128, 96, { x: 32, y: 16, w: 32, h: 32 });
      const before = tf.memory().numTensors;
      const result = await detector.detect(frame);
      expect(tf.memory().numTensors).toBe(before);
      frame.dispose();
      const [top, ...rest] = result.detections;
      expect(top).toBeDefined();
      expect(top!.label).toBe('red thing');
      expect(top!.classId).toBe(0);
      expect(top!.score).toBeCloseTo(1 / (1 + Math.exp(-4)), 3); // σ(8·R − 6 + 2), R = 1
      // The cell's box: 32 × 32 input px around its prior (24, 24) → source (16..80, 0..64) clipped.
      const box = ultralyticsLetterbox(128, 96, 64, 64);
      expect(box.padY).toBe(8);
      expect(top!.x).toBeCloseTo((8 - 0) / 0.5, 3);
      expect(top!.y).toBeCloseTo(0, 3);
      expect(top!.width).toBeCloseTo(64, 3);
      expect(top!.height).toBeCloseTo((40 - 8) / 0.5 - 0, 3);
      expect(top!.cell).toMatchObject({ level: 1, stride: 16, x: 1, y: 1, anchor: 0 });
      expect(top!.cell.priorX).toBeCloseTo(48, 3);
      expect(top!.cell.priorY).toBeCloseTo((24 - 8) / 0.5, 3);
      // Nothing else is confident: grey cells and other levels stay under the 0.25 default threshold.
      expect(rest.map((d) => d.score)).toEqual([]);
      expect(result.levels.map((l) => l.stride)).toEqual([8, 16, 32]);
      result.dispose();
    } finally {
      detector.dispose();
    }
  });

  it('maps: per-level class scores on the backend, owned by the caller', async () => {
    const url = await writeTiny('maps', COLOUR_MODEL, NAMES);
    const detector = await createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu' });
    const frame = frameWithRedSquare(64, 64, { x: 16, y: 16, w: 16, h: 16 });
    try {
      await detector.detect(frame);
      const before = tf.memory().numTensors;
      const result = await detector.detect(frame, { maps: true });
      const levels = result.maps?.levels ?? [];
      expect(levels.map((l) => [l.stride, ...l.scores.tensor.shape])).toEqual([
        [8, 8, 8, 3],
        [16, 4, 4, 3],
        [32, 2, 2, 3],
      ]);
      const p16 = (await levels[1]!.scores.tensor.array()) as number[][][];
      expect(p16[1]![1]![0]).toBeCloseTo(1 / (1 + Math.exp(-4)), 4); // σ(8 − 6 + 2)
      expect(p16[0]![0]![0]).toBeLessThan(0.1);
      expect(result.maps?.heatmap).toBe(levels[0]!.scores);
      expect(tf.memory().numTensors).toBe(before + 3);
      result.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      frame.dispose();
      detector.dispose();
    }
  });

  it('transposed [1, N, 4+nc], normalised boxes, no output shape in the signature, no metadata.yaml', async () => {
    // Fixed logits: class 1 of column 70 (stride 16 level starts at 64: cell 6 = (2, 1)) wins at σ(4).
    const options: TinyGraphOptions = {
      colourGains: [
        [0, 0, 0],
        [0, 0, 0],
      ],
      cellLogits: [{ classId: 1, column: 70, logit: 10 }],
      transposed: true,
      normalised: true,
      omitOutputShape: true,
    };
    const url = await writeTiny('transposed', options);
    const detector = await createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu' });
    const frame = tf.fill([64, 64, 3], 114, 'int32') as tf.Tensor3D;
    try {
      expect(detector.labels).toEqual(['class 0', 'class 1']);
      const { detections } = await detector.detect(frame);
      expect(detections).toHaveLength(1);
      const [d] = detections;
      expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-4)), 4);
      expect(d!.label).toBe('class 1');
      expect([d!.x, d!.y, d!.width, d!.height]).toEqual([24, 8, 32, 32].map((v) => expect.closeTo(v, 3)));
      expect(d!.cell).toMatchObject({ level: 1, stride: 16, x: 2, y: 1 });
    } finally {
      frame.dispose();
      detector.dispose();
    }
  });

  it('a Keras layers model (format layers-model) with an Ultralytics-shaped output loads too', async () => {
    // images [64, 64, 3] → two Dense heads on the pooled picture: constant boxes and class logits.
    const dir = join(root, 'layers');
    const tiny = tinyUltralyticsGraph({ colourGains: [[0, 0, 0]], cellLogits: [{ classId: 0, column: 81, logit: 12 }] });
    const columns = tiny.columns;
    const input = tf.input({ shape: [64, 64, 3], name: 'images' });
    const flat = tf.layers.flatten().apply(tf.layers.averagePooling2d({ poolSize: 32, strides: 32 }).apply(input)) as tf.SymbolicTensor;
    const boxValues = [0, 1, 2, 3].flatMap((k) => Array.from({ length: columns }, (_, n) => tiny.boxOf(n)[k]!));
    const boxHead = tf.layers.dense({ units: 4 * columns, kernelInitializer: 'zeros', weights: [tf.zeros([12, 4 * columns]), tf.tensor1d(boxValues)] });
    const logits = Array.from({ length: columns }, (_, n) => (n === 81 ? 6 : -6));
    const scoreHead = tf.layers.dense({ units: columns, activation: 'sigmoid', weights: [tf.zeros([12, columns]), tf.tensor1d(logits)] });
    const boxes = tf.layers.reshape({ targetShape: [4, columns] }).apply(boxHead.apply(flat)) as tf.SymbolicTensor;
    const scores = tf.layers.reshape({ targetShape: [1, columns] }).apply(scoreHead.apply(flat)) as tf.SymbolicTensor;
    const output = tf.layers.concatenate({ axis: 1 }).apply([boxes, scores]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    await mkdir(dir, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const { weightData, weightSpecs, ...rest } = artifacts;
        const json = { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] };
        await writeFile(join(dir, 'model.json'), JSON.stringify(json));
        await writeFile(join(dir, 'weights.bin'), new Uint8Array(weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    model.dispose();
    await writeFile(join(dir, 'metadata.yaml'), tinyMetadataYaml(['thing'], 64));
    const url = pathToFileURL(join(dir, 'model.json')).href;
    const detector = await createDetector({ model: `ultralytics:${url}`, fetch: fileFetch, backend: 'cpu' });
    const frame = tf.fill([64, 64, 3], 114, 'int32') as tf.Tensor3D;
    try {
      const { detections } = await detector.detect(frame);
      expect(detections).toHaveLength(1);
      // Column 81 = stride 32, cell (1, 0): prior (48, 16), box 64 × 64 → clipped to x 16..64, y 0..48.
      expect(detections[0]!.cell).toMatchObject({ level: 2, stride: 32, x: 1, y: 0 });
      expect([detections[0]!.x, detections[0]!.y, detections[0]!.width, detections[0]!.height]).toEqual([16, 0, 48, 48].map((v) => expect.closeTo(v, 3)));
      expect(detections[0]!.label).toBe('thing');
    } finally {
      frame.dispose();
      detector.dispose();
    }
  });

  it("shares the registry's file checks: weights shorter or longer than the manifest, no weightsManifest; nothing leaks", async () => {
    const url = await writeTiny('files', COLOUR_MODEL, NAMES);
    const dir = join(root, 'files');
    const model = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const weightsFile = join(dir, model.weightsManifest[0]!.paths[0]!);
    const weights = await readFile(weightsFile);
    const load = () => createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu' }).catch((e: unknown) => e);
    const before = tf.memory().numTensors;
    const cases: [string, () => Promise<void>, RegExp][] = [
      ['truncated', () => writeFile(weightsFile, weights.subarray(0, weights.length - 100)), new RegExp(`hold ${weights.length - 100} bytes, but its manifest describes ${weights.length}`)],
      ['1,000 extra bytes', () => writeFile(weightsFile, Buffer.concat([weights, Buffer.alloc(1000)])), new RegExp(`hold ${weights.length + 1000} bytes, but its manifest describes ${weights.length}`)],
      ['no weightsManifest', () => writeFile(join(dir, 'model.json'), JSON.stringify({ ...model, weightsManifest: undefined })), /has no weightsManifest/],
    ];
    for (const [name, breakIt, says] of cases) {
      await breakIt();
      const error = await load();
      expect(error, name).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).type, name).toBe('model-load-failed');
      expect((error as LoupeError).message, name).toMatch(says);
      expect(tf.memory().numTensors, `${name}: tensors left behind`).toBe(before);
    }
  });

  it('gives up: a server that never answers fails after loadTimeout, an aborted signal is aborted; no entry or tensor stays', async () => {
    const url = await writeTiny('give-up', COLOUR_MODEL, NAMES);
    const silent: typeof fetch = () => new Promise<Response>(() => undefined);
    const before = tf.memory().numTensors;
    const started = Date.now();
    const stalled = await createDetector({ model: { url, format: 'ultralytics' }, fetch: silent, backend: 'cpu', loadTimeout: 300 }).catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(LoupeError);
    expect(stalled).toMatchObject({ type: 'model-load-failed', message: expect.stringMatching(/sent nothing for 0\.3 s \(loadTimeout\)/) });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(loadedModels()).toEqual([]);

    const controller = new AbortController();
    const pending = createDetector({ model: { url, format: 'ultralytics' }, fetch: silent, backend: 'cpu', signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(loadedModels().map((m) => m.loaded)).toEqual([false]);
    controller.abort();
    expect(await pending).toMatchObject({ type: 'aborted', message: `Loading 'ultralytics:${url}' was aborted.` });
    expect(loadedModels(), 'the cache entry is removed').toEqual([]);

    // Already aborted: refused before anything starts. A real load still works afterwards.
    expect(await createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu', signal: controller.signal }).catch((e: unknown) => e)).toMatchObject({ type: 'aborted' });
    expect(tf.memory().numTensors).toBe(before);
    const detector = await createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu', signal: new AbortController().signal });
    expect(detector.labels).toEqual(NAMES);
    detector.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an unreachable URL is model-load-failed; shapes that fit no layout are model-mismatch listing them', async () => {
    const missing = pathToFileURL(join(root, 'nowhere', 'model.json')).href;
    const failed = await createDetector({ model: { url: missing, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LoupeError);
    expect((failed as LoupeError).type).toBe('model-load-failed');
    expect((failed as LoupeError).message).toContain('nowhere/model.json');

    // Metadata says 5 classes; the output has 4 + 3 channels on a grid: no layout.
    const url = await writeTiny('mismatch', COLOUR_MODEL, ['a', 'b', 'c', 'd', 'e']);
    const before = tf.memory().numTensors;
    const mismatch = await createDetector({ model: { url, format: 'ultralytics' }, fetch: fileFetch, backend: 'cpu' }).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(LoupeError);
    expect((mismatch as LoupeError).type).toBe('model-mismatch');
    expect((mismatch as LoupeError).message).toContain('[1, 7, 84]');
    expect(tf.memory().numTensors).toBe(before); // the weights were released

    const relative = await createDetector({ model: { url: 'model.json', format: 'ultralytics' }, backend: 'cpu' }).catch((e: unknown) => e);
    expect((relative as LoupeError).type).toBe('bad-option');
  });
});
