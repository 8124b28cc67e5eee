import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nanodet } from '../../models/nanodet/descriptor.js';
import { centernet } from '../../models/centernet/descriptor.js';
import { rgbaToInput, usesCanvasIngest } from '../../src/preprocess/canvas-letterbox.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 2×2 RGBA pixels with distinct channel values (alpha 255). */
function pixels(): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(4 * 4);
  for (let i = 0; i < 4; i++) rgba.set([10 + i, 100 + i, 200 + i, 255], i * 4);
  return rgba;
}

describe('canvas ingest: RGBA → the graph input in one pass', () => {
  it('writes RGB 0..255 NHWC when the model takes raw pixels', () => {
    expect(Array.from(rgbaToInput(pixels(), 4, 'nhwc'))).toEqual([10, 100, 200, 11, 101, 201, 12, 102, 202, 13, 103, 203]);
  });

  it("gives exactly what the model's tensor-path normalize gives (NanoDet: BGR, mean/std, NCHW)", async () => {
    const rgba = pixels();
    const spec = nanodet.input;
    const fused = rgbaToInput(rgba, 4, 'nchw', spec.pixels);
    // The tensor path on the same pixels: [1, 2, 2, 3] RGB float → normalize → [1, 3, 2, 2].
    const rgb = tf.tensor4d([10, 100, 200, 11, 101, 201, 12, 102, 202, 13, 103, 203], [1, 2, 2, 3]);
    const reference = spec.normalize!(rgb);
    expect(reference.shape).toEqual([1, 3, 2, 2]);
    const expected = await reference.data();
    tf.dispose([rgb, reference]);
    expect(fused).toHaveLength(expected.length);
    fused.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    // Plane 0 is blue: (200 − 103.53) / 57.375.
    expect(fused[0]).toBeCloseTo((200 - 103.53) / 57.375, 5);
  });
});

describe('canvas ingest: when it applies', () => {
  // Frames past the input gate: only their kind matters here.
  const image = { kind: 'drawable' } as const;
  const pixels = { kind: 'pixels' } as const;
  const tensor = { kind: 'tensor' } as const;
  const zeros = tf.zeros([2, 2, 3]) as tf.Tensor3D;
  const withDocument = <T>(run: () => T): T => {
    const saved = (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas;
    (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = class {};
    try {
      return run();
    } finally {
      (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = saved;
    }
  };

  it("'auto' draws on CPU backends only, and never a tensor source or a model with its own preprocessing", () => {
    withDocument(() => {
      expect(usesCanvasIngest(centernet, image, 'wasm', 'auto')).toBe(true);
      expect(usesCanvasIngest(nanodet, image, 'cpu', 'auto')).toBe(true);
      expect(usesCanvasIngest(centernet, image, 'webgl', 'auto')).toBe(false);
      expect(usesCanvasIngest(centernet, image, 'webgpu', 'auto')).toBe(false);
      expect(usesCanvasIngest(centernet, image, 'webgl', 'canvas')).toBe(true);
      expect(usesCanvasIngest(centernet, image, 'wasm', 'tensor')).toBe(false);
      expect(usesCanvasIngest(centernet, tensor, 'wasm', 'canvas')).toBe(false);
      // ImageData is drawn like any browser source (put into a canvas of its own size first).
      expect(usesCanvasIngest(centernet, pixels, 'wasm', 'auto')).toBe(true);
      const ownPreprocess = { ...centernet, preprocess: () => ({ input: zeros, letterbox: {} as never }) };
      expect(usesCanvasIngest(ownPreprocess, image, 'wasm', 'canvas')).toBe(false);
      // A normalize function without its declarative pixels cannot be folded into the pixel pass.
      const opaque = { ...nanodet, input: { ...nanodet.input, pixels: undefined } };
      expect(usesCanvasIngest(opaque, image, 'wasm', 'auto')).toBe(false);
    });
  });

  it('needs a canvas: not in Node without OffscreenCanvas', () => {
    expect(typeof OffscreenCanvas).toBe('undefined');
    expect(usesCanvasIngest(centernet, image, 'cpu', 'canvas')).toBe(false);
  });
});
