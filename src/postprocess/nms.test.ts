import { describe, expect, it } from 'vitest';
import type { Detection } from '../types.js';
import { classAwareNms, iou } from './nms.js';

const box = (x: number, y: number, width: number, height: number, score: number, classId = 0): Detection => ({
  x, y, width, height, score, classId, label: String(classId),
  cell: { level: 0, stride: 4, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 },
});

describe('class-aware NMS', () => {
  it('computes IoU', () => {
    expect(iou(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1))).toBe(1);
    expect(iou(box(0, 0, 10, 10, 1), box(5, 0, 10, 10, 1))).toBeCloseTo(50 / 150, 12);
    expect(iou(box(0, 0, 10, 10, 1), box(20, 20, 5, 5, 1))).toBe(0);
  });

  it('suppresses overlapping boxes of the same class only, keeping the higher score', () => {
    const kept = classAwareNms([box(0, 0, 10, 10, 0.9), box(1, 0, 10, 10, 0.8), box(1, 0, 10, 10, 0.7, 1), box(30, 30, 5, 5, 0.6)], 0.5);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.7, 0.6]);
  });
});
