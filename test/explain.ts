/**
 * Shared setup of the explainer's Node tests: one detector, one frame, its explanation (`explainFrame`)
 * with the tensor count around it, and a plain `detect()` of the same frame with its maps, to compare
 * against. `useExplainedFrame` registers the suite's beforeAll/afterAll and returns the holder they fill.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { createDetector, explainFrame, type DetectionResult, type Detector, type ExplainOptions, type Explanation } from '../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch, readJpegTensor } from './node.js';

export interface ExplainedFrame {
  detector: Detector;
  frame: tf.Tensor3D;
  explanation: Explanation;
  /** `detect()` of the same frame without the trace, with its maps (disposed after the suite). */
  plain: DetectionResult;
  /** `tf.memory().numTensors` just before and just after `explainFrame`. */
  tensorsBefore: number;
  tensorsAfter: number;
}

export interface ExplainedFrameSetup {
  /** The detector: a registry id (real weights from node_modules, CPU backend), or a function that makes one. */
  detector: string | (() => Promise<Detector>);
  /** The frame: a JPEG path relative to the project root, or a function that makes the tensor. */
  frame: string | (() => tf.Tensor3D | Promise<tf.Tensor3D>);
  options?: ExplainOptions;
  /** beforeAll's timeout, ms (real models on the CPU backend: ~30 s a pass on the busy 2-core CI machine). */
  timeout?: number;
}

/** Sets up the suite's explained frame (see the module comment); the fields are there once beforeAll has run. */
export function useExplainedFrame(setup: ExplainedFrameSetup): ExplainedFrame {
  const run = {} as ExplainedFrame;
  beforeAll(async () => {
    const { detector, frame } = setup;
    run.detector = typeof detector === 'string' ? await createDetector({ model: detector, backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch }) : await detector();
    run.frame = typeof frame === 'string' ? await readJpegTensor(frame) : await frame();
    run.tensorsBefore = tf.memory().numTensors;
    run.explanation = await explainFrame(run.detector, run.frame, setup.options);
    run.tensorsAfter = tf.memory().numTensors;
    run.plain = await run.detector.detect(run.frame, { maps: true, smallObjects: false });
  }, setup.timeout ?? 600_000);
  afterAll(() => {
    run.plain?.dispose();
    run.detector?.dispose();
    run.frame?.dispose();
  });
  return run;
}

/** Cell (x, y)'s channels of a [H, W, C] map handle, read back. */
export async function mapCell(tensor: tf.Tensor3D, x: number, y: number): Promise<number[]> {
  const slice = tf.slice(tensor, [y, x, 0], [1, 1, -1]);
  const values = Array.from(await slice.data());
  slice.dispose();
  return values;
}
