// Constant folding on the real CenterNet and NanoDet graphs (Node, tfjs CPU backend): same outputs, fewer
// computed nodes, and no static node left computed.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_MODEL_BASE_URL, fileFetch } from '../../test/node.js';
import { analyseGraph, foldConstants, type FoldReport } from './fold-constants.js';

async function loadArtifacts(file: string): Promise<tf.io.ModelArtifacts> {
  return tf.io.http(new URL(file, NODE_MODEL_BASE_URL).href, { fetchFunc: fileFetch }).load!();
}

type Nodes = { name: string; op: string; input?: string[] }[];
const nodesOf = (artifacts: tf.io.ModelArtifacts): Nodes => (artifacts.modelTopology as { node: Nodes }).node;

/** Runs `outputs` on a fixed pseudo-random input and returns their values. */
async function run(artifacts: tf.io.ModelArtifacts, input: tf.Tensor, outputs: string[]): Promise<Float32Array[]> {
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  try {
    const raw = model.execute({ [model.inputs[0]!.name]: input }, outputs);
    const list = Array.isArray(raw) ? raw : [raw];
    const values = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(list);
    return values;
  } finally {
    model.dispose();
  }
}

const cases = [
  // CenterNet: Loupe's two heads and the graph's own decode branch (TopK, gathers, strided slices).
  { file: 'centernet.json', shape: [1, 512, 512, 3], outputs: ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections'] },
  // NanoDet: the six head outputs (NCHW input).
  { file: 'nanodet.json', shape: [1, 3, 416, 416], outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3', 'Identity_4', 'Identity_5'] },
] as const;

describe.each(cases)('foldConstants on $file', ({ file, shape, outputs }) => {
  let original: tf.io.ModelArtifacts;
  let folded: tf.io.ModelArtifacts;
  let report: FoldReport;
  let input: tf.Tensor;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    original = await loadArtifacts(file);
    ({ artifacts: folded, report } = await foldConstants(original));
    input = tf.randomUniform([...shape], 0, 255, 'float32', 7);
  });
  afterAll(() => input?.dispose());

  it('leaves no static non-const node computed', () => {
    const { staticValue } = analyseGraph(nodesOf(folded));
    const leftovers = nodesOf(folded).filter((n) => staticValue.has(n.name) && n.op !== 'Const');
    expect(leftovers.map((n) => `${n.op} ${n.name}`)).toEqual([]);
    expect(report.nonConstAfter).toBe(report.nonConstBefore - report.removed);
    expect(nodesOf(folded).filter((n) => n.op !== 'Const')).toHaveLength(report.nonConstAfter);
    console.log(`${file}: ${report.nonConstBefore} → ${report.nonConstAfter} non-const nodes (${report.removed} removed, ${report.folded.length} new constants)`);
  });

  it('gives the same outputs as the original graph', async () => {
    if (report.removed === 0) {
      expect(folded).toBe(original); // nothing to fold: the very same artifacts
      return;
    }
    const before = await run(original, input, [...outputs]);
    const after = await run(folded, input, [...outputs]);
    for (const [i, values] of before.entries()) {
      expect(after[i]!.length).toBe(values.length);
      let maxDiff = 0;
      for (let j = 0; j < values.length; j++) maxDiff = Math.max(maxDiff, Math.abs(values[j]! - after[i]![j]!));
      expect(maxDiff, outputs[i]).toBe(0);
    }
  }, 300_000); // two full passes of the graph on the tfjs CPU backend
});

describe('foldConstants on the NanoDet graph', () => {
  it('folds the SparseToDense → AddV2 chains that build its six reshape targets', async () => {
    await tf.setBackend('cpu');
    const { artifacts, report } = await foldConstants(await loadArtifacts('nanodet.json'));
    const ops = new Set(nodesOf(artifacts).map((n) => n.op));
    expect(ops.has('SparseToDense')).toBe(false);
    expect(report.removed).toBe(12);
    expect(report.folded).toHaveLength(6);
  });
});

describe('foldConstants on a graph with a static shape chain', () => {
  // x [1, 4, 4, 2] → Relu → Shape → StridedSlice [0:1] → Pack([batch, -1]) → Reshape(Relu, ·) → out [1, 32]
  const i32 = (values: number[]): ArrayBuffer => Int32Array.from(values).buffer;
  const constant = (name: string, dims: number[]) => ({
    name,
    op: 'Const',
    attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: dims.map((d) => ({ size: String(d) })) } } } },
  });
  const artifacts: tf.io.ModelArtifacts = {
    format: 'graph-model',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [1, 4, 4, 2].map((d) => ({ size: String(d) })) } } } },
        { name: 'relu', op: 'Relu', input: ['x'], attr: { T: { type: 'DT_FLOAT' } } },
        { name: 'shape', op: 'Shape', input: ['relu'], attr: { out_type: { type: 'DT_INT32' } } },
        constant('begin', [1]),
        constant('end', [1]),
        constant('strides', [1]),
        { name: 'batch', op: 'StridedSlice', input: ['shape', 'begin', 'end', 'strides'], attr: { shrink_axis_mask: { i: '1' } } },
        { name: 'minus_one', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: {} } } } },
        { name: 'target', op: 'Pack', input: ['batch', 'minus_one'], attr: { N: { i: '2' }, axis: { i: '0' } } },
        { name: 'out', op: 'Reshape', input: ['relu', 'target'] },
      ],
      versions: { producer: 1 },
    },
    weightSpecs: [
      { name: 'begin', shape: [1], dtype: 'int32' },
      { name: 'end', shape: [1], dtype: 'int32' },
      { name: 'strides', shape: [1], dtype: 'int32' },
      { name: 'minus_one', shape: [], dtype: 'int32' },
    ],
    weightData: tf.io.concatenateArrayBuffers([i32([0]), i32([1]), i32([1]), i32([-1])]),
  };

  it('folds Shape → StridedSlice → Pack into one constant and keeps the result', async () => {
    await tf.setBackend('cpu');
    const { artifacts: folded, report } = await foldConstants(artifacts);
    expect(report.removed).toBe(3);
    expect(report.folded).toEqual(['target']);
    expect(nodesOf(folded).map((n) => n.op).sort()).toEqual(['Const', 'Placeholder', 'Relu', 'Reshape']);
    const input = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 3);
    const [before] = await run(artifacts, input, ['out']);
    const [after] = await run(folded, input, ['out']);
    input.dispose();
    expect(Array.from(after!)).toEqual(Array.from(before!));
    expect(after).toHaveLength(32);
  });
});
