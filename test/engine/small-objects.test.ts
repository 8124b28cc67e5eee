import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../models/index.js';
import type { ModelDescriptor, RunnableModel } from '../../src/model-descriptor.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from '../node.js';
import { planTiles, resolveSmallObjects } from '../../src/small-objects/plan.js';
import { allowAnyBatch } from '../../src/runtime/load-graph.js';
import { detectSmallObjects, executeTiles, tileInputs, type SmallObjectsContext } from '../../src/small-objects/run.js';
import { checkFrame } from '../../src/preprocess/frame.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 64² model whose decoder reports one fixed box (10, 12)–(30, 40) in input px for every pass. */
const BOX = [10, 12, 30, 40];
function fakeDescriptor(layout: 'nhwc' | 'nchw' = 'nhwc'): ModelDescriptor {
  return {
    id: 'fake',
    title: 'fake',
    graphFile: 'fake.json',
    input: { name: 'x', width: 64, height: 64, padValue: 0, layout, normalize: layout === 'nchw' ? (t) => tf.transpose(t, [0, 3, 1, 2]) : undefined },
    outputs: ['y'],
    levels: [{ stride: 8, width: 8, height: 8, anchors: 1, cellOrigin: 'centre' }],
    labels: ['thing'],
    maxDetectionsLimit: 100,
    defaults: { scoreThreshold: 0.1, maxDetections: 100, nmsIouThreshold: null },
    decode: (outputs) => {
      expect(outputs[0]!.shape[0]).toBe(1);
      return { rows: tf.tensor2d([[...BOX, 0.9, 0, 0, 9]], [1, 8]), maps: {} };
    },
  };
}

/** Returns its input's mean per batch item, [n, 1]; with `batch: false`, refuses batches (as a fixed-batch graph). */
function fakeRunnable(batch: boolean, calls: number[]): RunnableModel {
  return {
    execute: (input) => {
      calls.push(input.shape[0]!);
      if (!batch && input.shape[0] !== 1) throw new Error('batch 1 only');
      return [tf.tidy(() => tf.mean(tf.reshape(input, [input.shape[0]!, -1]), 1, true))];
    },
    dispose: () => {},
  };
}

function context(descriptor: ModelDescriptor, runnable: RunnableModel): SmallObjectsContext {
  return {
    descriptor,
    runnable,
    backend: 'cpu',
    state: { batch: 'unknown' },
    rectMultiple: undefined,
  };
}

const RUN = { scoreThreshold: 0.1, maxDetections: 100, nmsIouThreshold: null };

describe('tile crops', () => {
  it('resample each tile to the input with half-pixel centres, exactly, from the one frame tensor', async () => {
    // A ramp frame: channel 0 = column, channel 1 = row. Bilinear sampling of a ramp returns the sample point.
    const [w, h] = [40, 30];
    const frame = tf.tidy(() => {
      const xs = tf.tile(tf.reshape(tf.range(0, w), [1, w, 1]), [h, 1, 1]);
      const ys = tf.tile(tf.reshape(tf.range(0, h), [h, 1, 1]), [1, w, 1]);
      return tf.concat([xs, ys, tf.zerosLike(xs)], 2) as tf.Tensor3D;
    });
    const descriptor = fakeDescriptor();
    const tiles = planTiles(w, h, 64, 64, [2.5], 0.2).slice(1);
    const selected = tf.tensor1d(tiles.map((_, i) => i), 'int32');
    const { input } = tileInputs(descriptor, frame, tiles, selected);
    expect(input.shape).toEqual([tiles.length, 64, 64, 3]);
    const pixels = (await input.array()) as number[][][][];
    tiles.forEach((tile, t) => {
      for (const j of [0, 1, 17, 40, 63]) {
        const expectX = Math.min(w - 1, Math.max(0, tile.rect.x + (j + 0.5) / tile.gain - 0.5));
        const expectY = Math.min(h - 1, Math.max(0, tile.rect.y + (j + 0.5) / tile.gain - 0.5));
        expect(pixels[t]![5]![j]![0]).toBeCloseTo(expectX, 3);
        expect(pixels[t]![j]![5]![1]).toBeCloseTo(expectY, 3);
      }
    });
    tf.dispose([frame, selected, input]);
  });

  it('pads outside the frame with the model’s pad value and applies its normalize (NCHW)', async () => {
    const frame = tf.fill([30, 40, 3], 200, 'int32') as tf.Tensor3D;
    const descriptor = { ...fakeDescriptor('nchw'), input: { ...fakeDescriptor('nchw').input, padValue: 7 } };
    // Scale 1.2 of a 40×30 frame on a 64² model: 33.3 px tiles, one row centred, reaching past the frame.
    const tiles = planTiles(40, 30, 64, 64, [1.2], 0.2).slice(1);
    expect(tiles[0]!.rect.y).toBeLessThan(0);
    const selected = tf.tensor1d([0], 'int32');
    const { input } = tileInputs(descriptor, frame, tiles, selected);
    expect(input.shape).toEqual([1, 3, 64, 64]);
    const values = (await input.array()) as number[][][][];
    expect(values[0]![0]![0]![10]).toBeCloseTo(7, 5); // above the frame
    expect(values[0]![0]![32]![10]).toBeCloseTo(200, 5);
    tf.dispose([frame, selected, input]);
  });

  it('cuts NCHW inputs of a per-channel affine (`pixels`) from the channel planes: the same values as crops → normalize', async () => {
    // A frame whose three channels differ everywhere; tiles at scale 1.2 reach past it (pad value 7).
    const frame = tf.tidy(() => tf.cast(tf.mul(tf.randomUniform([30, 40, 3], 0, 1, 'float32', 3), 255), 'int32')) as tf.Tensor3D;
    const pixels = { channels: 'bgr' as const, mean: [103.53, 116.28, 123.675] as const, std: [57.375, 57.12, 58.395] as const };
    const reference = (rgb: tf.Tensor4D) =>
      tf.tidy(() => tf.transpose(tf.div(tf.sub(tf.reverse(rgb, -1), tf.tensor1d([...pixels.mean])), tf.tensor1d([...pixels.std])), [0, 3, 1, 2]));
    const base = fakeDescriptor('nchw');
    const plain = { ...base, input: { ...base.input, padValue: 7, normalize: reference } };
    const planar = { ...plain, input: { ...plain.input, pixels } };
    const tiles = planTiles(40, 30, 64, 64, [1.2, 2], 0.2).slice(1);
    const selected = tf.tensor1d([tiles.length - 1, 0, 2], 'int32');
    const expected = tileInputs(plain, frame, tiles, selected).input;
    const actual = tileInputs(planar, frame, tiles, selected).input;
    expect(actual.shape).toEqual([3, 3, 64, 64]);
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))));
    expect((await difference.data())[0]).toBeLessThan(1e-5);
    // Outside the frame: the pad value, normalised (tile 0 of scale 1.2 starts above the frame).
    expect(tiles[0]!.rect.y).toBeLessThan(0);
    const corner = (await actual.array()) as number[][][][];
    expect(corner[1]![0]![0]![10]).toBeCloseTo((7 - pixels.mean[0]) / pixels.std[0], 4);
    tf.dispose([frame, selected, expected, actual, difference]);
  });
});

describe('executeTiles', () => {
  it('batches when the model computes a batch (checked once), else runs tiles back to back', async () => {
    const input = tf.randomUniform([3, 64, 64, 3]);
    const batchCalls: number[] = [];
    const batching = { runnable: fakeRunnable(true, batchCalls), state: { batch: 'unknown' as const }, model: 'fake' };
    const out = await executeTiles(batching, input, 3);
    expect(batching.state.batch).toBe('yes');
    expect(batchCalls).toEqual([3, 1]); // the batch, then tile 0 alone to check it
    expect(out.map((o) => o[0]!.shape)).toEqual([[1, 1], [1, 1], [1, 1]]);
    tf.dispose(out.flat());
    await executeTiles(batching, input, 3).then((o) => tf.dispose(o.flat()));
    expect(batchCalls).toEqual([3, 1, 3]);

    const singleCalls: number[] = [];
    const single = { runnable: fakeRunnable(false, singleCalls), state: { batch: 'unknown' as const }, model: 'fake' };
    const before = tf.memory().numTensors;
    const seq = await executeTiles(single, input, 3);
    expect(single.state.batch).toBe('no');
    expect(singleCalls).toEqual([3, 1, 1, 1]);
    tf.dispose(seq.flat());
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
});

/**
 * A graph as converted exports have them: input x [1, 2, 3, 4]; `flat` reshapes it to the constant
 * [1, 6, 4] (batch fixed at 1), `rows` to [1, -1] (already a −1: left alone), and `shared` is a [1, 24]
 * constant that a Reshape and an Add both use (left alone).
 */
async function reshapeGraph(): Promise<tf.GraphModel> {
  const int = (name: string, values: number[]) => ({ spec: { name, shape: [values.length], dtype: 'int32' as const }, values });
  const consts = [int('flat/shape', [1, 6, 4]), int('rows/shape', [1, -1]), int('shared', [1, 24])];
  const constNode = (name: string, size: number) => ({
    name,
    op: 'Const',
    attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: String(size) }] } } } },
  });
  const reshape = (name: string, shape: string) => ({ name, op: 'Reshape', input: ['x', shape], attr: { T: { type: 'DT_FLOAT' }, Tshape: { type: 'DT_INT32' } } });
  const node = [
    { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [1, 2, 3, 4].map((d) => ({ size: String(d) })) } } } },
    ...consts.map((c) => constNode(c.spec.name, c.values.length)),
    reshape('flat', 'flat/shape'),
    reshape('rows', 'rows/shape'),
    reshape('both', 'shared'),
    { name: 'plus', op: 'AddV2', input: ['shared', 'shared'], attr: { T: { type: 'DT_INT32' } } },
  ];
  const weightData = new Int32Array(consts.flatMap((c) => c.values)).buffer;
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: { node, versions: { producer: 1 } }, weightSpecs: consts.map((c) => c.spec), weightData }));
}

describe('allowAnyBatch', () => {
  it('relaxes reshape targets that fix the batch at 1, so the graph computes a batch; one image as before', async () => {
    const graph = await reshapeGraph();
    const before = tf.memory().numTensors;
    allowAnyBatch(graph, 'x');
    expect(tf.memory().numTensors).toBe(before); // the old constant freed, its replacement held by the graph
    const one = tf.randomUniform([1, 2, 3, 4]);
    const two = tf.concat([one, tf.randomUniform([1, 2, 3, 4])]);
    const [flat1, rows1, plus] = graph.execute({ x: one }, ['flat', 'rows', 'plus']) as tf.Tensor[];
    expect(flat1!.shape).toEqual([1, 6, 4]);
    expect(rows1!.shape).toEqual([1, 24]);
    expect(Array.from(await plus!.data())).toEqual([2, 48]); // the shared constant kept its value
    const [flat2, rows2] = graph.execute({ x: two }, ['flat', 'rows']) as tf.Tensor[];
    expect(flat2!.shape).toEqual([2, 6, 4]);
    expect(await tf.slice(flat2!, 0, 1).data()).toEqual(await flat1!.data());
    expect(rows2!.shape).toEqual([1, 48]); // [1, -1]: not a batch; executeTiles' check rejects such a graph

    // Through executeTiles: the relaxed reshape computes the batch, and passes the check.
    const state = { batch: 'unknown' as 'unknown' | 'yes' | 'no' };
    const runnable = { execute: (input: tf.Tensor) => [graph.execute({ x: input }, 'flat') as tf.Tensor], dispose: () => {} };
    const tiles = await executeTiles({ runnable, state, model: 'fake' }, two, 2);
    expect(state.batch).toBe('yes');
    expect(tiles.map((t) => t[0]!.shape)).toEqual([
      [1, 6, 4],
      [1, 6, 4],
    ]);
    tf.dispose([one, two, flat1!, rows1!, plus!, flat2!, rows2!, ...tiles.flat()]);
    graph.dispose();
  });
});

describe('detectSmallObjects', () => {
  let frame: tf.Tensor3D;
  beforeAll(() => {
    frame = tf.zeros([120, 160, 3], 'int32');
  });
  afterAll(() => frame.dispose());

  it('maps every pass’s box from its input px to source px exactly, with provenance, without leaks', async () => {
    const descriptor = fakeDescriptor();
    // Fusion that never merges (IoU > 1), no gating: one detection per pass.
    const options = resolveSmallObjects({ scales: [2, 3], overlap: 0.2, fusionThreshold: 1, maxTileObject: 1000, batch: true })!;
    const ctx = context(descriptor, fakeRunnable(true, []));
    await detectSmallObjects(ctx, checkFrame(frame), RUN, options).then((r) => r.dispose()); // warm-up (batch check)
    const before = tf.memory().numTensors;
    const result = await detectSmallObjects(ctx, checkFrame(frame), RUN, options);
    result.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const tiles = planTiles(160, 120, 64, 64, [2, 3], 0.2);
    expect(result.executions).toBe(tiles.length);
    expect(result.smallObjects?.batched).toBe(true);
    expect(result.smallObjects?.tiles.every((t) => t.executed)).toBe(true);
    const boxes = result.detections.filter((d) => d.tile && d.tile.index > 0);
    expect(new Set(boxes.map((d) => d.tile!.index)).size).toBe(tiles.length - 1);
    for (const d of boxes) {
      const tile = tiles[d.tile!.index]!;
      expect(d.tile).toMatchObject({ scale: tile.scale, rect: tile.rect, merged: 1 });
      expect(d.x).toBeCloseTo(tile.rect.x + BOX[0]! / tile.gain, 4);
      expect(d.y).toBeCloseTo(tile.rect.y + BOX[1]! / tile.gain, 4);
      expect(d.x + d.width).toBeCloseTo(tile.rect.x + BOX[2]! / tile.gain, 4);
      expect(d.y + d.height).toBeCloseTo(tile.rect.y + BOX[3]! / tile.gain, 4);
      // Cell 9 of the 8×8 stride-8 grid: (1, 1), prior at its centre (12, 12) input px.
      expect(d.cell.priorX).toBeCloseTo(tile.rect.x + 12 / tile.gain, 4);
      expect(d.cell.priorY).toBeCloseTo(tile.rect.y + 12 / tile.gain, 4);
    }
    // The whole frame: 160×120 letterboxed into 64² (gain 0.4, 8 px bands top and bottom).
    const whole = result.detections.find((d) => d.tile?.index === 0)!;
    expect(whole.x).toBeCloseTo(10 / 0.4, 4);
    expect(whole.y).toBeCloseTo((12 - 8) / 0.4, 4);
  });

  it('under a budget runs the whole frame plus the best tiles only', async () => {
    const calls: number[] = [];
    const ctx = context(fakeDescriptor(), fakeRunnable(false, calls));
    const options = resolveSmallObjects({ scales: [2], budget: 3 })!;
    const result = await detectSmallObjects(ctx, checkFrame(frame), RUN, options);
    result.dispose();
    expect(result.executions).toBe(3);
    expect(result.smallObjects?.tiles.filter((t) => t.executed).map((t) => t.index)).toHaveLength(3);
    expect(result.smallObjects?.tiles[0]!.executed).toBe(true);
    expect(result.smallObjects?.tiles.slice(1).every((t) => typeof t.evidence === 'number')).toBe(true);
    expect(result.smallObjects?.batched).toBe(false);
  });
});

describe('small-object mode with a real model (yolo-face at 128, Node CPU)', () => {
  it('runs batched, reports its passes, and leaks nothing', async () => {
    const detector = await createDetector({ model: 'yolo-face', backend: 'cpu', inputSize: 128, modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, smallObjects: { scales: [2], batch: true } });
    const street = await readJpegTensor('models/centernet/fixtures/street-frame.jpg');
    try {
      const single = await detector.detect(street, { smallObjects: false });
      single.dispose();
      expect(single.executions).toBe(1);
      expect(single.smallObjects).toBeUndefined();
      await detector.detect(street).then((r) => r.dispose());
      const before = tf.memory().numTensors;
      const result = await detector.detect(street, { maps: true });
      expect(result.maps?.heatmap).toBeDefined();
      result.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(result.executions).toBe(result.smallObjects!.tiles.length);
      expect(result.smallObjects!.batched).toBe(true);
      for (const d of result.detections) expect(d.tile).toBeDefined();
    } finally {
      street.dispose();
      detector.dispose();
    }
  });
});
