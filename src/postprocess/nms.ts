import type { Detection } from '../types.js';

/** Intersection over union of two boxes in the same pixel space. */
export function iou(a: Detection, b: Detection): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const intersection = ix * iy;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

/**
 * Greedy class-aware NMS on a short list already sorted by score (≤ maxDetections rows, read back
 * once). Running it on the CPU costs microseconds at this size and needs no extra GPU round trip.
 */
export function classAwareNms(sorted: readonly Detection[], iouThreshold: number): Detection[] {
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    const suppressed = kept.some((k) => k.classId === candidate.classId && iou(k, candidate) > iouThreshold);
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}
