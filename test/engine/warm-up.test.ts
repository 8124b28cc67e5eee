// Warm-up at load on the CPU backends (Node, CPU): nothing to compile, so createDetector() skips it,
// reports only the download phase and leaves no tensor behind. (On WebGL it is e2e/warm-up.spec.ts.)
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createDetector, LoupeError, selectBackend, type LoadPhase } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch } from '../node.js';
import { canCompileOnly, compileInProgress, compileOnly, compiledProgramKeys } from '../../src/runtime/warm-up.js';

describe('warm-up at load (CPU backend)', () => {
  it('is a no-op: no compile phase, nothing run, no tensor left', async () => {
    await selectBackend('cpu');
    const before = tf.memory().numTensors;
    const phases: [LoadPhase, number][] = [];
    const downloads: number[] = [];
    const detector = await createDetector({
      model: 'yolo-face',
      inputSize: 128,
      backend: 'cpu',
      modelBaseUrl: NODE_MODEL_BASE_URL,
      fetch: fileFetch,
      onProgress: (fraction) => downloads.push(fraction),
      onPhase: (phase, fraction) => phases.push([phase, fraction]),
    });
    expect(detector.warmUp).toEqual({ mode: 'none', programs: 0, ms: 0 });
    expect(phases.every(([phase]) => phase === 'download')).toBe(true);
    // onPhase('download') carries exactly what onProgress gets: its contract is unchanged.
    expect(phases.map(([, fraction]) => fraction)).toEqual(downloads);
    expect(downloads.at(-1)).toBe(1);
    const blank = tf.zeros([64, 64, 3], 'int32') as tf.Tensor3D;
    (await detector.detect(blank)).dispose();
    blank.dispose();
    detector.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('warmUp: false changes nothing on the CPU backends', async () => {
    const before = tf.memory().numTensors;
    const detector = await createDetector({ model: 'yolo-face', inputSize: 128, backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch, warmUp: false });
    expect(detector.warmUp?.mode).toBe('none');
    detector.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('compile-only is for WebGL and WebGPU only: refused here, before running anything', async () => {
    await selectBackend('cpu');
    expect(canCompileOnly()).toBe(false);
    expect(compiledProgramKeys()).toEqual([]);
    let ran = false;
    const pass = () => {
      ran = true;
      return [];
    };
    await expect(compileOnly(pass)).rejects.toBeInstanceOf(LoupeError);
    expect(ran).toBe(false);
    expect(compileInProgress()).toBeNull();
    expect(tf.env().getBool('ENGINE_COMPILE_ONLY')).toBe(false);
  });
});
