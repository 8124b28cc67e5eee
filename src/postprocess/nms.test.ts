import { describe, expect, it } from 'vitest';
import type { Detection } from '../types.js';
import { classAwareNms, iou, suppressRows, type NmsStep } from './nms.js';

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

  it('records each step: kept, or the first kept box of its class that overlaps it, with the IoU', () => {
    const sorted = [box(0, 0, 10, 10, 0.9), box(1, 0, 10, 10, 0.8), box(1, 0, 10, 10, 0.7, 1), box(30, 30, 5, 5, 0.6)];
    const steps: NmsStep[] = [];
    const kept = classAwareNms(sorted, 0.5, steps);
    expect(kept).toEqual(classAwareNms(sorted, 0.5));
    expect(steps).toEqual([
      { candidate: 0, suppressedBy: null, iou: 0 },
      { candidate: 1, suppressedBy: 0, iou: iou(sorted[0]!, sorted[1]!) },
      { candidate: 2, suppressedBy: null, iou: 0 },
      { candidate: 3, suppressedBy: null, iou: 0 },
    ]);
    expect(steps[1]!.iou).toBeCloseTo(90 / 110, 12);
  });

  it('records each step of the row NMS: kept, or the kept row that suppressed it with their IoU', () => {
    // Rows (x1, y1, x2, y2, score, class, level, position), sorted by score.
    const rows = Float32Array.from([0, 0, 10, 10, 0.9, 0, 0, 0, 1, 0, 11, 10, 0.8, 0, 0, 1, 1, 0, 11, 10, 0.7, 1, 0, 2, 30, 30, 35, 35, 0.6, 0, 0, 3, 0, 0, 10, 10, 0.1, 0, 0, 4]);
    const steps: NmsStep[] = [];
    const kept = suppressRows(rows, 8, 0.5, 0.3, 10, steps);
    expect(Array.from(kept.filter((_, i) => i % 8 === 7))).toEqual([0, 2, 3]);
    expect(steps.map((s) => [s.candidate, s.suppressedBy])).toEqual([[0, null], [1, 0], [2, null], [3, null]]);
    expect(steps[1]!.iou).toBeCloseTo(90 / 110, 6);
    // Without `steps`, the same rows.
    expect(suppressRows(rows, 8, 0.5, 0.3, 10)).toEqual(kept);
  });
});
