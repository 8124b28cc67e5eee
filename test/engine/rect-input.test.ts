import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centernet } from '../../models/centernet/descriptor.js';
import { nanodet } from '../../models/nanodet/descriptor.js';
import { computeLetterbox } from '../../src/preprocess/letterbox.js';
import { NODE_MODEL_BASE_URL, fileFetch } from '../node.js';
import { inputSizer, levelsFor, relaxInputSize, type InputSizer } from '../../src/runtime/rect-input.js';

describe('rectangular inputs', () => {
  let graph: tf.GraphModel;
  let sizer: InputSizer;
  const SIZE_NODE = centernet.rectInput!.sizeConstants[0]!;
  const sizeOf = (): number[] => {
    const weights = (graph as unknown as { executor: { weightMap: Record<string, tf.Tensor[]> } }).executor.weightMap;
    return Array.from(weights[SIZE_NODE]![0]!.dataSync());
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    graph = await tf.loadGraphModel(relaxInputSize(tf.io.http(new URL(centernet.graphFile, NODE_MODEL_BASE_URL).href, { fetchFunc: fileFetch }), centernet));
    sizer = inputSizer(graph, centernet)!;
  }, 60_000);

  afterAll(() => {
    sizer?.release();
    graph?.dispose();
  });

  it('letterboxes into the smallest multiple that holds the frame', () => {
    expect(computeLetterbox(768, 576, 512, 512, 32)).toMatchObject({ inputWidth: 512, inputHeight: 384, contentHeight: 384, padY: 0 });
    expect(computeLetterbox(1280, 720, 512, 512, 32)).toMatchObject({ inputWidth: 512, inputHeight: 288, contentHeight: 288 });
    expect(computeLetterbox(1000, 700, 416, 416, 32)).toMatchObject({ inputWidth: 416, inputHeight: 320, contentHeight: 291, padY: 14 });
    expect(computeLetterbox(480, 640, 512, 512, 32)).toMatchObject({ inputWidth: 384, inputHeight: 512 });
    expect(computeLetterbox(768, 576, 512, 512)).toMatchObject({ inputWidth: 512, inputHeight: 512, padY: 64 });
  });

  it('gives each level the grid of the input', () => {
    const rect = computeLetterbox(768, 576, 416, 416, 32);
    expect(levelsFor(nanodet, rect).map((l) => [l.stride, l.width, l.height])).toEqual([[8, 52, 40], [16, 26, 20], [32, 13, 10]]);
    expect(levelsFor(nanodet, computeLetterbox(768, 576, 416, 416))).toBe(nanodet.levels);
  });

  it('sets the upsampling sizes for each input size and restores the square ones', () => {
    expect(sizeOf()).toEqual([32, 32]); // c5 → stride 16 at 512
    const before = tf.memory().numTensors;
    const run = (height: number, width: number): number[] => {
      const input = tf.zeros([1, height, width, 3]);
      sizer.prepare(input);
      const heatmap = graph.execute({ [centernet.input.name]: input }, 'tower_0/keypoints') as tf.Tensor;
      const shape = heatmap.shape;
      tf.dispose([input, heatmap]);
      return shape;
    };
    expect(run(384, 512)).toEqual([1, 96, 128, 80]);
    expect(sizeOf()).toEqual([24, 32]);
    expect(run(512, 288)).toEqual([1, 128, 72, 80]);
    expect(run(512, 512)).toEqual([1, 128, 128, 80]);
    expect(sizeOf()).toEqual([32, 32]);
    // Three constants per rectangular size seen, kept for the next frame of that size.
    expect(tf.memory().numTensors).toBe(before + 6);
    expect(run(384, 512)).toEqual([1, 96, 128, 80]);
    expect(tf.memory().numTensors).toBe(before + 6);
    sizer.release();
    expect(sizeOf()).toEqual([32, 32]);
    expect(tf.memory().numTensors).toBe(before);
    const unaligned = tf.zeros([1, 100, 512, 3]);
    expect(() => sizer.prepare(unaligned)).toThrow(/steps of 32/);
    unaligned.dispose();
  }, 180_000); // three CenterNet runs on the pure-JS CPU backend: 85 s measured on a loaded 2-core machine
});
