import { describe, expect, it } from 'vitest';
import { boxIos, fuse, nmmFuse, nmsFuse, selectCandidates, type Candidate, type FuseOptions } from './fuse.js';
import { planTiles, type PlannedTile } from './plan.js';

const box = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0, tile = 0): Candidate => ({
  x1, y1, x2, y2, score, classId, level: 0, position: 0, tile,
});
const corners = (b: Candidate): number[] => [b.x1, b.y1, b.x2, b.y2];

const OPTIONS: FuseOptions = { scoreThreshold: 0.05, maxDetections: 100, fusion: 'nms', fusionThreshold: 0.6, maxTileObject: 160, minFrameObject: 0 };

describe('NMS and NMM on literal tables', () => {
  // Each box from its own pass. IoU(A, B) = 90/110 = 0.818; IoU(A, E) = 50/150 = 0.333, IoS(A, E) = 0.5;
  // S lies inside A (IoS 1).
  const A = box(0, 0, 10, 10, 0.9, 0, 0);
  const B = box(1, 0, 11, 10, 0.8, 0, 1);
  const C = box(1, 0, 11, 10, 0.7, 1, 2);
  const D = box(50, 50, 60, 60, 0.6, 0, 3);
  const E = box(5, 0, 15, 10, 0.5, 0, 4);
  const S = box(2, 2, 4, 4, 0.4, 0, 5);

  it('NMS keeps the best of each class-overlap group', () => {
    const kept = nmsFuse([E, D, C, B, A, S], 0.6);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.7, 0.6, 0.5, 0.4]);
    expect(kept.every((k) => k.merged === 1)).toBe(true);
    expect(nmsFuse([A, E], 0.3).map((k) => k.score)).toEqual([0.9]);
  });

  it('NMM merges by IoS into the union, with the best box’s score and provenance', () => {
    expect(boxIos(A, E)).toBeCloseTo(0.5, 12);
    const merged = nmmFuse([S, E, D, C, B, { ...A, tile: 3 }], 0.45);
    expect(merged.map((m) => [...corners(m), m.score, m.classId, m.merged, m.tile])).toEqual([
      [0, 0, 15, 10, 0.9, 0, 4, 3], // A + B + E + S
      [1, 0, 11, 10, 0.7, 1, 1, 2], // C: another class
      [50, 50, 60, 60, 0.6, 0, 1, 3],
    ]);
  });

  it('fuses only boxes of different passes unless asked to fuse within a pass', () => {
    const samePass = [A, { ...B, tile: 0 }, { ...S, tile: 0 }];
    expect(nmsFuse(samePass, 0.6).map((k) => k.score)).toEqual([0.9, 0.8, 0.4]);
    expect(nmsFuse(samePass, 0.6, true).map((k) => k.score)).toEqual([0.9, 0.4]);
    expect(nmmFuse(samePass, 0.45).map((k) => k.merged)).toEqual([1, 1, 1]);
    expect(nmmFuse(samePass, 0.45, true).map((k) => k.merged)).toEqual([3]);
  });

  it('NMM compares with the best box as it was, not the growing union', () => {
    // F overlaps the union A ∪ E but not A itself: it stays.
    const F = box(12, 0, 20, 10, 0.3, 0, 6);
    expect(nmmFuse([A, E, F], 0.45).map(corners)).toEqual([
      [0, 0, 15, 10],
      [12, 0, 20, 10],
    ]);
  });
});

describe('scale gating and tile borders', () => {
  // 640×480 frame, 512² model, scale 2: 320 px tiles at gain 1.6 in a 3 × 2 grid.
  const tiles: PlannedTile[] = planTiles(640, 480, 512, 512, [2], 0.2);

  it('drops tile boxes above maxTileObject input px; small whole-frame boxes yield to an overlapping tile box', () => {
    const big = box(10, 10, 110, 110, 0.9, 0, 1); // 100 px → 160 input px: kept at 160
    const bigger = box(10, 10, 111, 111, 0.9, 0, 1); // 161.6 input px: dropped
    const tiny = box(10, 10, 14, 14, 0.9, 0, 0); // 4 px → 3.2 input px in the whole frame
    const all = [0, ...tiles.slice(1).map((t) => t.index)];
    expect(selectCandidates([big, bigger, tiny], tiles, all, OPTIONS)).toEqual([big, tiny]);
    // A tile saw it too (IoU 0.64, lower score): the tile's box stays, the whole frame's goes.
    const seen = box(10, 10, 15, 15, 0.3, 0, 1);
    expect(selectCandidates([tiny, seen], tiles, all, { ...OPTIONS, minFrameObject: 4 })).toEqual([seen]);
    // Another class, or no tile box over it (none ran, or it found nothing): the whole frame's box stays.
    expect(selectCandidates([tiny, { ...seen, classId: 1 }], tiles, all, { ...OPTIONS, minFrameObject: 4 })).toEqual([tiny, { ...seen, classId: 1 }]);
    expect(selectCandidates([tiny], tiles, all, { ...OPTIONS, minFrameObject: 4 })).toEqual([tiny]);
  });

  it('drops a box cut by an inner border when another pass holds it whole, keeps frame-edge boxes', () => {
    const tile = tiles[1]!; // x 0..320, y 0..320; inner right and bottom
    const cut = box(300, 100, 319, 130, 0.9, 0, 1); // touches x = 320 − 2/1.6
    const clear = box(280, 100, 310, 130, 0.9, 0, 1);
    const atFrameEdge = box(0, 100, 20, 130, 0.9, 0, 1); // left edge is the frame's
    expect(tile.inner.right).toBe(true);
    const all = tiles.map((t) => t.index);
    expect(selectCandidates([cut, clear, atFrameEdge], tiles, all, OPTIONS)).toEqual([clear, atFrameEdge]);
    // The neighbour (x 160..480) holds it whole: dropped even without the whole-frame pass.
    expect(selectCandidates([cut], tiles, [1, 2], OPTIONS)).toEqual([]);
    // Nothing else that ran holds it: kept.
    expect(selectCandidates([cut], tiles, [1], OPTIONS)).toEqual([cut]);
  });

  it('scales tile boxes’ scores before the threshold and fusion', () => {
    const whole = box(100, 100, 120, 120, 0.7, 0, 0);
    const tile = box(101, 100, 121, 120, 0.8, 0, 1); // IoU 0.9 with `whole`; 0.8 × 0.8 = 0.64 < 0.7
    const faint = box(10, 10, 20, 20, 0.06, 0, 1); // 0.048 after scaling: under the threshold
    const out = fuse([whole, tile, faint], tiles, [0, 1], { ...OPTIONS, tileScoreScale: 0.8 });
    expect(out.map((b) => [b.tile, b.score])).toEqual([[0, 0.7]]);
    expect(fuse([whole, tile], tiles, [0, 1], OPTIONS).map((b) => b.tile)).toEqual([1]);
  });

  it('thresholds scores, fuses, sorts and cuts to maxDetections', () => {
    const boxes = [box(0, 0, 10, 10, 0.04), box(100, 0, 110, 10, 0.5), box(200, 0, 210, 10, 0.7), box(300, 0, 310, 10, 0.6), box(201, 0, 211, 10, 0.65, 0, 1)];
    const out = fuse(boxes, tiles, [0], { ...OPTIONS, maxDetections: 2 });
    expect(out.map((b) => b.score)).toEqual([0.7, 0.6]);
  });
});
