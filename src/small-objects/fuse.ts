/**
 * Fusion of the small-object mode's passes, on the rows read back once per frame (a few hundred at most):
 *
 * 0. tile boxes' scores × `tileScoreScale` (a tile sees no context: its confident mistakes would
 *    otherwise outrank the whole frame's boxes), then the score threshold;
 * 1. scale-aware selection (SNIP): at a tiled scale keep only boxes whose size √(w·h), in that tile's input
 *    pixels, is at most `maxTileObject` (larger ones are cut, or seen better by a coarser pass); a
 *    whole-frame box under `minFrameObject` yields to a kept tile box of its class that overlaps it (IoU >
 *    `YIELD_IOU`), whatever their scores: the tile saw the object larger, where the model works better;
 * 2. tile borders: a box that touches an inner border of its tile (within `BORDER_MARGIN` input px) is a
 *    piece of an object; it goes when another pass that ran holds it without touching an inner border
 *    (the whole frame always does, and so does the neighbouring tile when the object fits in the overlap);
 * 3. fusion, class-aware: greedy NMS on IoU, or greedy non-maximum merging (SAHI's GREEDYNMM) on IoS —
 *    the best box takes every lower one of its class whose intersection over the smaller area exceeds the
 *    threshold, and becomes the union of them all, with its own score and provenance.
 *
 * Boxes are in source pixels. Pure functions: no tfjs.
 */
import type { FusionMethod } from './types.js';
import type { PlannedTile } from './plan.js';
import type { RowBox } from '../pipeline.js';

/** Input pixels within which a box edge counts as touching a tile border. */
export const BORDER_MARGIN = 2;
/** IoU from which a small whole-frame box and a tile box of its class are one object (step 1). */
export const YIELD_IOU = 0.3;

/** One decoded box of one pass, in source pixels: a pipeline row, and the pass it came from. */
export interface Candidate extends RowBox {
  /** Index of the pass (`PlannedTile.index`) that produced it. */
  tile: number;
}

export interface FusedBox extends Candidate {
  /** Boxes merged into this one, itself included. */
  merged: number;
}

export interface FuseOptions {
  scoreThreshold: number;
  maxDetections: number;
  fusion: FusionMethod;
  fusionThreshold: number;
  maxTileObject: number;
  minFrameObject: number;
  /** Factor on tile boxes' scores (default 1). */
  tileScoreScale?: number;
  /**
   * Also fuse boxes of one pass with each other. Default false: each pass stands as the model reported it
   * (its own NMS, if any, already ran), and fusion only resolves one pass's boxes against another's.
   */
  withinPass?: boolean;
}

const area = (b: Candidate): number => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

function intersection(a: Candidate, b: Candidate): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

export function boxIou(a: Candidate, b: Candidate): number {
  const i = intersection(a, b);
  const union = area(a) + area(b) - i;
  return union > 0 ? i / union : 0;
}

/** Intersection over the smaller box's area. */
export function boxIos(a: Candidate, b: Candidate): number {
  const smaller = Math.min(area(a), area(b));
  return smaller > 0 ? intersection(a, b) / smaller : 0;
}

/** Step 1 for tile boxes: whether the box is small enough for its tile. */
export function inScaleRange(box: Candidate, tile: PlannedTile, options: Pick<FuseOptions, 'maxTileObject'>): boolean {
  return tile.scaleIndex === 0 || Math.sqrt(area(box)) * tile.gain <= options.maxTileObject;
}

/** Whether the box touches one of `tile`'s inner borders. */
export function touchesInnerBorder(box: Candidate, tile: PlannedTile): boolean {
  const margin = BORDER_MARGIN / tile.gain;
  const { rect, inner } = tile;
  return (
    (inner.left && box.x1 <= rect.x + margin) ||
    (inner.top && box.y1 <= rect.y + margin) ||
    (inner.right && box.x2 >= rect.x + rect.width - margin) ||
    (inner.bottom && box.y2 >= rect.y + rect.height - margin)
  );
}

/** Whether `tile` sees the whole box, clear of its inner borders. */
export function holdsWhole(box: Candidate, tile: PlannedTile): boolean {
  const { rect } = tile;
  const eps = 1e-6;
  const inside = box.x1 >= rect.x - eps && box.y1 >= rect.y - eps && box.x2 <= rect.x + rect.width + eps && box.y2 <= rect.y + rect.height + eps;
  return inside && !touchesInnerBorder(box, tile);
}

/** Steps 1 and 2: the candidates that survive scale gating and the tile-border rule. */
export function selectCandidates(candidates: readonly Candidate[], tiles: readonly PlannedTile[], executed: readonly number[], options: FuseOptions): Candidate[] {
  const ran = executed.map((i) => tiles[i]).filter((t): t is PlannedTile => t !== undefined);
  const factor = options.tileScoreScale ?? 1;
  const rescored = factor === 1 ? candidates : candidates.map((box) => ((tiles[box.tile]?.scaleIndex ?? 0) > 0 ? { ...box, score: box.score * factor } : box));
  const kept = rescored.filter((box) => {
    if (!(box.score >= options.scoreThreshold)) return false;
    const tile = tiles[box.tile];
    if (!tile || !(box.x2 > box.x1 && box.y2 > box.y1)) return false;
    if (!inScaleRange(box, tile, options)) return false;
    if (touchesInnerBorder(box, tile) && ran.some((other) => other !== tile && holdsWhole(box, other))) return false;
    return true;
  });
  if (!(options.minFrameObject > 0)) return kept;
  const tileBoxes = kept.filter((box) => (tiles[box.tile]?.scaleIndex ?? 0) > 0);
  return kept.filter((box) => {
    const tile = tiles[box.tile]!;
    if (tile.scaleIndex > 0 || Math.sqrt(area(box)) * tile.gain >= options.minFrameObject) return true;
    return !tileBoxes.some((other) => other.classId === box.classId && boxIou(other, box) > YIELD_IOU);
  });
}

/** Sorted by score, descending; ties keep their order. */
const byScore = <T extends Candidate>(boxes: readonly T[]): T[] =>
  boxes
    .map((box, i) => ({ box, i }))
    .sort((a, b) => b.box.score - a.box.score || a.i - b.i)
    .map(({ box }) => box);

/** Whether two boxes may be fused: same class, and from different passes unless `withinPass`. */
const fusable = (a: Candidate, b: Candidate, withinPass: boolean): boolean => a.classId === b.classId && (withinPass || a.tile !== b.tile);

/**
 * Greedy class-aware NMS: a box goes when a kept, better box of its class (from another pass, unless
 * `withinPass`) overlaps it by IoU > threshold.
 */
export function nmsFuse(candidates: readonly Candidate[], threshold: number, withinPass = false): FusedBox[] {
  const kept: FusedBox[] = [];
  for (const box of byScore(candidates)) {
    if (!kept.some((k) => fusable(k, box, withinPass) && boxIou(k, box) > threshold)) kept.push({ ...box, merged: 1 });
  }
  return kept;
}

/**
 * Greedy class-aware non-maximum merging: the best remaining box takes every remaining box of its class
 * (from another pass, unless `withinPass`) whose IoS with it (the best box as it was, not the growing
 * union) exceeds the threshold; the result is the union of their boxes, with the best box's score, class
 * and provenance.
 */
export function nmmFuse(candidates: readonly Candidate[], threshold: number, withinPass = false): FusedBox[] {
  const sorted = byScore(candidates);
  const taken = new Array<boolean>(sorted.length).fill(false);
  const out: FusedBox[] = [];
  sorted.forEach((best, i) => {
    if (taken[i]) return;
    taken[i] = true;
    const fused: FusedBox = { ...best, merged: 1 };
    for (let j = i + 1; j < sorted.length; j++) {
      const other = sorted[j]!;
      if (taken[j] || !fusable(best, other, withinPass) || !(boxIos(best, other) > threshold)) continue;
      taken[j] = true;
      fused.x1 = Math.min(fused.x1, other.x1);
      fused.y1 = Math.min(fused.y1, other.y1);
      fused.x2 = Math.max(fused.x2, other.x2);
      fused.y2 = Math.max(fused.y2, other.y2);
      fused.merged += 1;
    }
    out.push(fused);
  });
  return out;
}

/** All three steps; at most `maxDetections` boxes, by score. */
export function fuse(candidates: readonly Candidate[], tiles: readonly PlannedTile[], executed: readonly number[], options: FuseOptions): FusedBox[] {
  const selected = selectCandidates(candidates, tiles, executed, options);
  const withinPass = options.withinPass === true;
  const fused = options.fusion === 'nmm' ? nmmFuse(selected, options.fusionThreshold, withinPass) : nmsFuse(selected, options.fusionThreshold, withinPass);
  return byScore(fused).slice(0, options.maxDetections);
}
