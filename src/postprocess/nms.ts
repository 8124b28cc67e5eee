import type { Detection } from '../types.js';

/** A box by its top-left corner and size (a `Detection`, a tracker's or an evaluator's box). */
export type BoxLike = Pick<Detection, 'x' | 'y' | 'width' | 'height'>;

/** Intersection over union of two boxes in the same pixel space. */
export function iou(a: BoxLike, b: BoxLike): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const intersection = ix * iy;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

/**
 * Greedy class-aware NMS on a short list already sorted by score (≤ maxDetections rows, read back
 * once). Running it on the CPU costs microseconds at this size and needs no extra GPU round trip.
 * With `steps`, each detection's turn is appended there (indices into `sorted`); the first kept
 * detection of the class whose IoU exceeds the threshold is the suppressor.
 */
export function classAwareNms(sorted: readonly Detection[], iouThreshold: number, steps?: NmsStep[]): Detection[] {
  const kept: number[] = [];
  sorted.forEach((candidate, index) => {
    let suppressor: number | null = null;
    let overlap = 0;
    for (const k of kept) {
      const other = sorted[k]!;
      if (other.classId !== candidate.classId) continue;
      const value = iou(other, candidate);
      if (value > iouThreshold) {
        suppressor = k;
        overlap = value;
        break;
      }
    }
    if (suppressor === null) kept.push(index);
    steps?.push({ candidate: index, suppressedBy: suppressor, iou: overlap });
  });
  return kept.map((index) => sorted[index]!);
}

/** One candidate's turn in greedy NMS (`suppressRows` with `steps`): kept, or which kept row beat it. */
export interface NmsStep {
  /** Row index of the candidate in the rows handed to NMS. */
  candidate: number;
  /** Row index of the kept, higher-scored row of the same class that suppressed it; null: kept. */
  suppressedBy: number | null;
  /** IoU with `suppressedBy` (0 when kept). */
  iou: number;
}

/**
 * Greedy class-aware NMS on rows read back from the backend, for CPU backends (WASM, CPU) where the
 * rows already live in main memory and a GPU-style M×M suppression matrix would cost more than the
 * model. In: `rows` M × `width` floats sorted by score (box in columns 0–3, score 4, class 5), in the
 * model's input space. Out: the kept rows (score ≥ `scoreThreshold`), at most `maxRows`, in order.
 * With `steps`, each candidate it looked at is appended there (what `detect(…, { trace: true })` shows);
 * the first kept row of the class whose IoU exceeds the threshold is the suppressor.
 */
export function suppressRows(rows: Float32Array, width: number, iouThreshold: number, scoreThreshold: number, maxRows: number, steps?: NmsStep[]): Float32Array {
  const kept: number[] = [];
  const area = (i: number): number => Math.max(0, rows[i + 2]! - rows[i]!) * Math.max(0, rows[i + 3]! - rows[i + 1]!);
  const overlap = (k: number, i: number): number => {
    if (rows[k + 5] !== rows[i + 5]) return 0;
    const ix = Math.min(rows[k + 2]!, rows[i + 2]!) - Math.max(rows[k]!, rows[i]!);
    const iy = Math.min(rows[k + 3]!, rows[i + 3]!) - Math.max(rows[k + 1]!, rows[i + 1]!);
    if (ix <= 0 || iy <= 0) return 0;
    const intersection = ix * iy;
    return intersection / (area(k) + area(i) - intersection);
  };
  for (let i = 0; i + width <= rows.length && kept.length < maxRows; i += width) {
    if (!(rows[i + 4]! >= scoreThreshold)) break; // sorted: nothing after this passes either
    let suppressor = -1;
    let suppressorIou = 0;
    for (const k of kept) {
      const value = overlap(k, i);
      if (value > iouThreshold) {
        suppressor = k;
        suppressorIou = value;
        break;
      }
    }
    if (suppressor < 0) kept.push(i);
    steps?.push({ candidate: i / width, suppressedBy: suppressor < 0 ? null : suppressor / width, iou: suppressorIou });
  }
  const out = new Float32Array(kept.length * width);
  kept.forEach((offset, index) => out.set(rows.subarray(offset, offset + width), index * width));
  return out;
}
