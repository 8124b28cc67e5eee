import type { Detection } from '../../src/types.js';

/** Boxes of the same class overlapping at least this much (IoU) are taken for the same object. */
export const FOLLOW_MIN_IOU = 0.3;

/**
 * The detection in `candidates` that continues `previous` from the frame before: the same class, the
 * best overlap, IoU ≥ FOLLOW_MIN_IOU. Undefined when none does (the object left, or changed class).
 */
export function followDetection(previous: Detection, candidates: readonly Detection[]): Detection | undefined {
  let best: Detection | undefined;
  let bestIou = FOLLOW_MIN_IOU;
  for (const candidate of candidates) {
    if (candidate.classId !== previous.classId) continue;
    const ix = Math.min(previous.x + previous.width, candidate.x + candidate.width) - Math.max(previous.x, candidate.x);
    const iy = Math.min(previous.y + previous.height, candidate.y + candidate.height) - Math.max(previous.y, candidate.y);
    if (ix <= 0 || iy <= 0) continue;
    const intersection = ix * iy;
    const overlap = intersection / (previous.width * previous.height + candidate.width * candidate.height - intersection);
    if (overlap >= bestIou) {
      best = candidate;
      bestIou = overlap;
    }
  }
  return best;
}
