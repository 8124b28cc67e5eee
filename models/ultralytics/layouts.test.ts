// Layout recognition from output shapes (research notes decoders.md §4.1), and the model-mismatch message.
import { describe, expect, it } from 'vitest';
import { LoupeError } from '../../src/errors.js';
import { chooseLayout, inferLevels, type OutputInfo } from './layouts.js';

const one = (...shape: number[]): OutputInfo[] => [{ name: 'Identity:0', shape }];
const at = (size: number, height = size) => ({ width: size, height });

describe('chooseLayout', () => {
  it('A: [1, 4+nc, N] (yolo export format=tfjs), levels 8/16/32 from N', () => {
    const { layout, levels } = chooseLayout(one(1, 84, 8400), at(640));
    expect(layout).toEqual({ kind: 'channels-first', classes: 80, candidates: 8400 });
    expect(levels.map((l) => [l.stride, l.width, l.height, l.anchors, l.cellOrigin])).toEqual([
      [8, 80, 80, 1, 'centre'],
      [16, 40, 40, 1, 'centre'],
      [32, 20, 20, 1, 'centre'],
    ]);
    // 3 classes at 320 × 256 (rectangular, ≠ 640), dynamic batch.
    const rect = chooseLayout(one(-1, 7, 1680), at(320, 256));
    expect(rect.layout).toEqual({ kind: 'channels-first', classes: 3, candidates: 1680 });
    expect(rect.levels.map((l) => [l.width, l.height])).toEqual([
      [40, 32],
      [20, 16],
      [10, 8],
    ]);
  });

  it("A': [1, N, 4+nc]; a P6 model (stride 64) from metadata or from N", () => {
    expect(chooseLayout(one(1, 2100, 6), at(320)).layout).toEqual({ kind: 'channels-last', classes: 2, candidates: 2100 });
    const p6 = chooseLayout(one(1, 84, 8500), at(640), { stride: 64 });
    expect(p6.levels.map((l) => l.stride)).toEqual([8, 16, 32, 64]);
    expect(chooseLayout(one(1, 84, 8500), at(640)).levels).toHaveLength(4);
  });

  it('E: [1, 3·cells, 5+nc] with objectness, 3 anchors a cell', () => {
    const { layout, levels } = chooseLayout(one(1, 25200, 85), at(640));
    expect(layout).toEqual({ kind: 'objectness', classes: 80, candidates: 25200, anchors: 3 });
    expect(levels.map((l) => l.anchors)).toEqual([3, 3, 3]);
    // metadata's class count decides between A' (4+nc) and E (5+nc) for the same columns.
    expect(chooseLayout(one(1, 252, 7), at(64), { names: ['a', 'b'] }).layout.kind).toBe('objectness');
  });

  it('B/C: [1, 300, 6] rows after NMS (or end-to-end), no levels', () => {
    expect(chooseLayout(one(1, 300, 6), at(640))).toEqual({ layout: { kind: 'nms-rows', rows: 300 }, levels: [] });
    expect(chooseLayout(one(1, 300, 6), at(640), { names: ['a', 'b'], nms: true }).layout.kind).toBe('nms-rows');
  });

  it('D: the four YOLOv5 NMS outputs, in any order, scores/classes told apart by name', () => {
    const outputs: OutputInfo[] = [
      { name: 'Identity_2:0', shape: [1, 100] },
      { name: 'Identity_3:0', shape: [1] },
      { name: 'Identity:0', shape: [1, 100, 4] },
      { name: 'Identity_1:0', shape: [1, 100] },
    ];
    expect(chooseLayout(outputs, at(640)).layout).toEqual({ kind: 'yolov5-nms', rows: 100, order: { boxes: 2, scores: 3, classes: 0, count: 1 } });
  });

  it('an N that fits no stride grid still decodes (no levels), oriented by the class count or the shape', () => {
    expect(chooseLayout(one(1, 9, 1000), at(640))).toEqual({ layout: { kind: 'channels-first', classes: 5, candidates: 1000 }, levels: [] });
    expect(chooseLayout(one(1, 1000, 9), at(640), { names: ['a', 'b', 'c', 'd'] }).layout).toEqual({ kind: 'objectness', classes: 4, candidates: 1000, anchors: 3 });
  });

  it('shapes that fit nothing: model-mismatch naming every output shape', () => {
    const expectMismatch = (outputs: OutputInfo[], ...parts: string[]) => {
      let error: unknown;
      try {
        chooseLayout(outputs, at(640));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).type).toBe('model-mismatch');
      for (const part of parts) expect((error as LoupeError).message).toContain(part);
    };
    expectMismatch(one(1, 3, 3), 'Identity:0 [1, 3, 3]', '[1, 4+nc, N]');
    expectMismatch(one(1, 1000), '[1, 1000]');
    expectMismatch(one(1, 84, 80, 80), '[1, 84, 80, 80]');
    expectMismatch(
      [
        { name: 'a', shape: [1, 84, 8400] },
        { name: 'b', shape: [1, 32, 160, 160] },
      ],
      'a [1, 84, 8400], b [1, 32, 160, 160]',
    );
    expectMismatch(one(1, 84, -1), '[1, 84, ?]');
    expect(() => chooseLayout(one(1, 116, 8400), at(640), { task: 'segment' })).toThrow(/task 'segment'/);
  });
});

describe('inferLevels', () => {
  it('explains N by stride grids (ceil for sizes that are not multiples of 32)', () => {
    expect(inferLevels(84, 64, 64, 1)?.map((l) => l.width)).toEqual([8, 4, 2]);
    expect(inferLevels(Math.ceil(100 / 8) ** 2 + Math.ceil(100 / 16) ** 2 + Math.ceil(100 / 32) ** 2, 100, 100, 1)).not.toBeNull();
    expect(inferLevels(85, 64, 64, 1)?.map((l) => l.stride)).toEqual([8, 16, 32, 64]); // 64 + 16 + 4 + 1
    expect(inferLevels(86, 64, 64, 1)).toBeNull();
  });
});
