// The input gate in Node (real tfjs tensors on the CPU backend; browser sources are covered by
// e2e/red-team.spec.ts): every source is a frame or a bad-input that says what is wrong, before any op.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoupeError } from '../errors.js';
import { checkFrame } from './frame.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function refusal(source: unknown): { type: string; message: string } {
  try {
    checkFrame(source);
  } catch (error) {
    expect(error).toBeInstanceOf(LoupeError);
    return { type: (error as LoupeError).type, message: (error as LoupeError).message };
  }
  throw new Error(`checkFrame accepted ${String(source)}`);
}

describe('checkFrame (the input gate)', () => {
  it('passes RGB [H, W, 3] int32 and float32 tensors through, with their size', () => {
    const int = tf.zeros([4, 6, 3], 'int32') as tf.Tensor3D;
    const float = tf.zeros([2, 3, 3]) as tf.Tensor3D;
    expect(checkFrame(int)).toEqual({ kind: 'tensor', source: int, width: 6, height: 4 });
    expect(checkFrame(float)).toMatchObject({ kind: 'tensor', width: 3, height: 2 });
    tf.dispose([int, float]);
  });

  it('refuses what is not a frame at all, naming what it got', () => {
    expect(refusal(null)).toEqual({ type: 'bad-input', message: expect.stringMatching(/^detect\(\) takes a video, image, canvas, .* got null\.$/) });
    expect(refusal(undefined).message).toMatch(/got undefined\.$/);
    expect(refusal('frame.jpg').message).toMatch(/got a string \("frame\.jpg"\)\.$/);
    expect(refusal({ width: 10, height: 10 }).message).toMatch(/got a plain object\.$/);
  });

  it('refuses tensors that are disposed, not numeric, not [H, W, 3], or empty — before any tfjs op', () => {
    const before = tf.memory().numTensors;
    const disposed = tf.zeros([2, 2, 3]);
    disposed.dispose();
    const cases: [tf.Tensor, RegExp][] = [
      [disposed, /has been disposed/],
      [tf.tensor(['a', 'b', 'c'], [1, 1, 3], 'string'), /must hold pixel values \(int32 or float32\); got dtype string/],
      [tf.zeros([1, 1, 3], 'bool'), /got dtype bool/],
      [tf.zeros([0, 0, 3]), /no pixels: shape \[0, 0, 3\]/],
      [tf.zeros([0, 10, 3]), /no pixels: shape \[0, 10, 3\]/],
      [tf.zeros([10, 0, 3]), /no pixels: shape \[10, 0, 3\]/],
      [tf.zeros([4, 4]), /must be RGB HWC \[height, width, 3\]; got shape \[4, 4\]/],
      [tf.zeros([4, 4, 4]), /got shape \[4, 4, 4\]/],
      [tf.zeros([1, 4, 4, 3]), /got shape \[1, 4, 4, 3\]/],
    ];
    const created = tf.memory().numTensors;
    for (const [tensor, says] of cases) {
      const { type, message } = refusal(tensor);
      expect(type).toBe('bad-input');
      expect(message).toMatch(says);
    }
    expect(tf.memory().numTensors, 'the gate itself creates no tensor').toBe(created);
    tf.dispose(cases.map(([t]) => t));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("names a tensor of another tfjs copy (instanceof fails, its ops would run on another engine)", () => {
    const foreign = { dataId: {}, shape: [2, 2, 3], dtype: 'int32', rank: 3 };
    expect(refusal(foreign).message).toMatch(/another copy of TensorFlow\.js/);
  });
});
