import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/types.js';
import { followDetection } from './follow-detection.js';

function detection(x: number, y: number, width: number, height: number, classId = 0): Detection {
  return { x, y, width, height, classId, label: `class ${classId}`, score: 0.9, cell: { level: 0, stride: 8, x: 0, y: 0, anchor: 0, priorX: x, priorY: y } };
}

describe('followDetection', () => {
  const previous = detection(100, 100, 50, 100);

  it('picks the same-class box that overlaps most', () => {
    const near = detection(105, 102, 50, 100);
    const nearer = detection(101, 100, 50, 100);
    expect(followDetection(previous, [near, nearer, detection(400, 100, 50, 100)])).toBe(nearer);
  });

  it('ignores other classes, however well they overlap', () => {
    expect(followDetection(previous, [detection(100, 100, 50, 100, 3)])).toBeUndefined();
  });

  it('needs an IoU of at least 0.3', () => {
    // Shifted by 35 of 50 px: intersection 15 × 100 = 1,500, union 8,500 (IoU 0.18).
    expect(followDetection(previous, [detection(135, 100, 50, 100)])).toBeUndefined();
    // Shifted by 20: 3,000 / 7,000 = 0.43.
    const kept = detection(120, 100, 50, 100);
    expect(followDetection(previous, [kept])).toBe(kept);
  });

  it('finds nothing in an empty frame or among boxes that only touch', () => {
    expect(followDetection(previous, [])).toBeUndefined();
    expect(followDetection(previous, [detection(150, 100, 50, 100)])).toBeUndefined();
  });
});
