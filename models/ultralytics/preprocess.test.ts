// Ultralytics' letterbox and its inverse, against a line-by-line transcription of the Python
// (`LetterBox.__call__`, `ops.scale_boxes`, `ops.clip_boxes`), including Python's round-half-to-even
// and the −0.1 that sends the odd pixel of padding to the right/bottom.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { unletterboxBoxes } from '../../src/postprocess/unletterbox.js';
import { inputToSource } from '../../src/preprocess/letterbox.js';
import { preprocessUltralytics, roundHalfEven, ultralyticsLetterbox } from './preprocess.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Python's round(): ties to even. Written differently from the code under test on purpose. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0; // + 0: no −0
}

/** ultralytics/data/augment.py LetterBox (auto=False, scaleup=True, center=True). shape = (h, w). */
function letterBox(h: number, w: number, newH: number, newW: number) {
  const r = Math.min(newH / h, newW / w);
  const newUnpad = [pyRound(w * r), pyRound(h * r)] as const;
  const dw = (newW - newUnpad[0]) / 2;
  const dh = (newH - newUnpad[1]) / 2;
  return { newUnpad, top: pyRound(dh - 0.1), bottom: pyRound(dh + 0.1), left: pyRound(dw - 0.1), right: pyRound(dw + 0.1) };
}

/** ultralytics/utils/ops.py scale_boxes(img1_shape, boxes, img0_shape) + clip_boxes. */
function scaleBoxes(img1: [number, number], box: number[], img0: [number, number]): number[] {
  const gain = Math.min(img1[0] / img0[0], img1[1] / img0[1]);
  const pad = [pyRound((img1[1] - pyRound(img0[1] * gain)) / 2 - 0.1), pyRound((img1[0] - pyRound(img0[0] * gain)) / 2 - 0.1)];
  const b = [(box[0]! - pad[0]!) / gain, (box[1]! - pad[1]!) / gain, (box[2]! - pad[0]!) / gain, (box[3]! - pad[1]!) / gain];
  return [Math.min(Math.max(b[0]!, 0), img0[1]), Math.min(Math.max(b[1]!, 0), img0[0]), Math.min(Math.max(b[2]!, 0), img0[1]), Math.min(Math.max(b[3]!, 0), img0[0])];
}

// (source w, h, input w, h): odd sizes, exact .5 products, tall, wide, tiny, non-square inputs.
const CASES: [number, number, number, number][] = [
  [768, 576, 640, 640],
  [641, 479, 640, 640],
  [640, 479, 640, 640], // dh = 80.5: top 80, bottom 81
  [479, 640, 640, 640], // dw = 80.5: left 80, right 81
  [512, 20, 64, 64], // h·r = 2.5 exactly: Python rounds to 2 (half-up would say 3)
  [512, 28, 64, 64], // 3.5 → 4
  [1920, 1080, 320, 256],
  [333, 777, 416, 416],
  [3, 1, 64, 64],
  [1, 3, 64, 64],
  [1279, 721, 640, 384],
];

describe('Ultralytics letterbox', () => {
  it('rounds like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, 2, 3]);
  });

  it('matches LetterBox: content size, top/left (and so bottom/right) for every case', () => {
    for (const [w, h, W, H] of CASES) {
      const t = ultralyticsLetterbox(w, h, W, H);
      const ref = letterBox(h, w, H, W);
      const label = `${w}×${h} → ${W}×${H}`;
      expect([t.contentWidth, t.contentHeight], label).toEqual([...ref.newUnpad]);
      expect([t.padX, t.padY], label).toEqual([ref.left, ref.top]);
      expect(t.inputWidth - t.contentWidth - t.padX, label).toBe(ref.right);
      expect(t.inputHeight - t.contentHeight - t.padY, label).toBe(ref.bottom);
    }
    expect(ultralyticsLetterbox(512, 20, 64, 64)).toMatchObject({ contentHeight: 2, padY: 31 });
    expect(ultralyticsLetterbox(640, 479, 640, 640)).toMatchObject({ padY: 80, scaleY: 1 });
  });

  it("the engine's unletterbox with this transform is scale_boxes + clip_boxes", async () => {
    for (const [w, h, W, H] of CASES) {
      const t = ultralyticsLetterbox(w, h, W, H);
      const boxes = [
        [0, 0, W, H],
        [W * 0.25, H * 0.3, W * 0.6, H * 0.9],
        [-5, 7.5, 13.25, H + 3],
        [t.padX + 1, t.padY + 1, t.padX + 2, t.padY + 2],
      ];
      const input = tf.tensor2d(boxes);
      const out = unletterboxBoxes(input, t);
      const got = (await out.array()) as number[][];
      input.dispose();
      out.dispose();
      for (const [i, box] of boxes.entries()) {
        const ref = scaleBoxes([H, W], box, [h, w]);
        expect(got[i], `${w}×${h} → ${W}×${H}, box ${i}`).toEqual(ref.map((v) => expect.closeTo(v, 3)));
      }
      const p = inputToSource(t, 10, 20);
      const q = scaleBoxes([H, W], [10, 20, 10, 20], [h, w]);
      if (q[0]! > 0 && q[0]! < w && q[1]! > 0 && q[1]! < h) expect([p.x, p.y]).toEqual([q[0], q[1]].map((v) => expect.closeTo(v!, 6)));
    }
  });

  it('preprocess: 114 grey border, RGB ÷ 255, content where LetterBox puts it; NCHW when the graph wants it', async () => {
    // A 4 × 2 frame of value 255 into 8 × 8: r = 2, content 8 × 4, top = round(2 − 0.1) = 2.
    const frame = tf.fill([2, 4, 3], 255, 'int32') as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const { input, letterbox } = preprocessUltralytics(frame, { width: 8, height: 8, layout: 'nhwc' });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(input.shape).toEqual([1, 8, 8, 3]);
    expect(letterbox).toMatchObject({ padX: 0, padY: 2, contentWidth: 8, contentHeight: 4, scaleX: 2, scaleY: 2 });
    const pixels = (await input.array()) as number[][][][];
    const column = pixels[0]!.map((row) => row[3]![0]!);
    expect(column).toEqual([114, 114, 255, 255, 255, 255, 114, 114].map((v) => expect.closeTo(v / 255, 6)));
    input.dispose();
    const nchw = preprocessUltralytics(frame, { width: 8, height: 8, layout: 'nchw' });
    expect(nchw.input.shape).toEqual([1, 3, 8, 8]);
    nchw.input.dispose();
    frame.dispose();
  });
});
