import { describe, expect, it } from 'vitest';
import { iou } from '../src/postprocess/nms.js';
import { evaluateMot, formatMot, parseMot, MotFormatError, type MotBox } from './mot.js';

/** A 10 × 10 box at (x, y) in frame f with id. */
const b = (frame: number, id: number, x: number, y = 0, width = 10, height = 10): MotBox => ({ frame, id, x, y, width, height, score: 1 });

describe('MOTChallenge text', () => {
  it('parses the ground-truth format and writes results that parse back', () => {
    const text = '1,9,499.20,157.69,31.03,75.17,1,-1,-1,-1\n\n2 9 500 158 31 75 1 -1 -1 -1\n';
    const boxes = parseMot(text);
    expect(boxes).toEqual([
      { frame: 1, id: 9, x: 499.2, y: 157.69, width: 31.03, height: 75.17, score: 1 },
      { frame: 2, id: 9, x: 500, y: 158, width: 31, height: 75, score: 1 },
    ]);
    expect(parseMot(formatMot(boxes))).toEqual(boxes);
  });

  it('names the line of a malformed row', () => {
    expect(() => parseMot('1,1,0,0,10,10,1\n0,1,0,0,10,10,1\n', 'gt.txt')).toThrow(/gt\.txt, line 2: frame/);
    expect(() => parseMot('1,1,0,zero,10,10\n')).toThrow(MotFormatError);
    expect(() => evaluateMot([b(1, 1, 0), b(1, 1, 50)], [])).toThrow(/id 1 appears twice in frame 1/);
  });
});

describe('CLEAR-MOT', () => {
  it('scores a perfect tracker', () => {
    const gt = [b(1, 1, 0), b(1, 2, 50), b(2, 1, 2), b(2, 2, 52)];
    const m = evaluateMot(gt, gt.map((g) => ({ ...g, id: g.id + 100 })));
    expect(m).toMatchObject({ MOTA: 1, MOTP: 1, FP: 0, FN: 0, IDsw: 0, IDF1: 1, IDP: 1, IDR: 1, MT: 2, ML: 0 });
  });

  it('counts a match at IoU ≥ 0.5 only, and MOTP as the mean IoU', () => {
    // Frame 1: hypothesis shifted 2 px right: intersection 8·10 = 80, union 120 → IoU 2/3 (a match).
    // Frame 2: shifted 4 px: 60 / 140 = 3/7 < 0.5 → no match: one FP and one FN.
    // MOTA = 1 − (FN 1 + FP 1 + IDsw 0) / 2 objects = 0. MOTP = 2/3 (the one match).
    const m = evaluateMot([b(1, 1, 0), b(2, 1, 0)], [b(1, 7, 2), b(2, 7, 4)]);
    expect(iou(b(1, 1, 0), b(1, 7, 2))).toBeCloseTo(2 / 3, 12);
    expect(m).toMatchObject({ FP: 1, FN: 1, IDsw: 0, matches: 1 });
    expect(m.MOTA).toBe(0);
    expect(m.MOTP).toBeCloseTo(2 / 3, 12);
  });

  it('keeps last frame’s match while it holds, even when another hypothesis fits better (no switch)', () => {
    // Object 1 at x = 0 in both frames. Frame 1: only hypothesis A (x = 3, IoU 7/13 ≈ 0.54) → matched.
    // Frame 2: A still at x = 3 (IoU 0.54 ≥ 0.5: the match is kept) and B exactly on it (IoU 1). The devkit
    // keeps A; B is a false positive. IDsw 0, FP 1, FN 0; MOTA = 1 − 1/2 = 0.5.
    const m = evaluateMot([b(1, 1, 0), b(2, 1, 0)], [b(1, 10, 3), b(2, 10, 3), b(2, 11, 0)]);
    expect(m).toMatchObject({ IDsw: 0, FP: 1, FN: 0, matches: 2 });
    expect(m.MOTA).toBe(0.5);
  });

  it('counts an identity switch when the object, present before, is matched to another hypothesis', () => {
    // Frames 1–2: object 1 ↔ A. Frame 3: A gone, B on the object → switch (1). Frame 4: B again → none.
    // Objects 4, matches 4, FP 0, FN 0 → MOTA = 1 − 1/4 = 0.75.
    const gt = [1, 2, 3, 4].map((f) => b(f, 1, 0));
    const hyp = [b(1, 10, 0), b(2, 10, 0), b(3, 11, 0), b(4, 11, 0)];
    const m = evaluateMot(gt, hyp);
    expect(m).toMatchObject({ IDsw: 1, FP: 0, FN: 0, MOTA: 0.75 });
  });

  it('compares with the last hypothesis ever matched, across missed frames', () => {
    // Frame 1: object ↔ A. Frame 2: object present, nothing matches (FN). Frame 3: A again → no switch:
    // the last match was A. Frame 4: nothing. Frame 5: B → switch (last match A, object present in 4).
    const gt = [1, 2, 3, 4, 5].map((f) => b(f, 1, 0));
    const hyp = [b(1, 10, 0), b(3, 10, 0), b(5, 11, 0)];
    const m = evaluateMot(gt, hyp);
    // FN 2 (frames 2, 4), FP 0, IDsw 1: MOTA = 1 − 3/5 = 0.4.
    expect(m).toMatchObject({ IDsw: 1, FN: 2, FP: 0 });
    expect(m.MOTA).toBeCloseTo(0.4, 12);
  });

  it('does not count a switch for an object absent from the previous frame (the devkit’s rule)', () => {
    // Object 1 in frames 1 and 3 only (not annotated in 2): A then B. The devkit counts a switch only if
    // the object was in the previous frame: IDsw 0. Identity still sees it: 2 boxes, each id covers one.
    const m = evaluateMot([b(1, 1, 0), b(3, 1, 0)], [b(1, 10, 0), b(3, 11, 0)]);
    expect(m).toMatchObject({ IDsw: 0, FP: 0, FN: 0, MOTA: 1 });
    // IDTP = 1 (object 1 pairs with A or B, one frame each), IDFP = 2 − 1, IDFN = 2 − 1: IDF1 = 2/4 = 0.5.
    expect(m).toMatchObject({ IDTP: 1, IDFP: 1, IDFN: 1, IDF1: 0.5 });
  });

  it('matches the rest by min-cost assignment, not greedily', () => {
    // Objects P (x = 0) and Q (x = 4); hypotheses A (x = 2) and B (x = −2), all 10 wide.
    // IoU: P–A 8/12 = 0.667, P–B 0.667, Q–A 0.667, Q–B 4/16 = 0.25 (not allowed).
    // Greedy by IoU could give P–A and leave Q unmatched; the assignment matches the most pairs: P–B, Q–A.
    const m = evaluateMot([b(1, 1, 0), b(1, 2, 4)], [b(1, 10, 2), b(1, 11, -2)]);
    expect(m).toMatchObject({ matches: 2, FP: 0, FN: 0 });
  });

  it('skips hypotheses after the last frame and counts frames without hypotheses as misses', () => {
    const m = evaluateMot([b(1, 1, 0), b(2, 1, 0)], [b(1, 5, 0), b(3, 5, 0)], {});
    expect(m).toMatchObject({ frames: 2, hypotheses: 1, FN: 1, FP: 0, matches: 1 });
    expect(evaluateMot([b(1, 1, 0)], [b(2, 5, 0)], { frames: 2 })).toMatchObject({ FP: 1, FN: 1 });
  });
});

describe('identity metrics', () => {
  it('pairs whole trajectories globally (IDF1, IDP, IDR)', () => {
    // Object 1 in frames 1–6. Hypothesis A covers frames 1–4, B frames 5–6 (a switch at 5).
    // Object 2 in frames 5–6 only, covered by C. Boxes: objects 6 + 2 = 8; hypotheses 4 + 2 + 2 = 8.
    // Best pairing: 1–A (4 frames), 2–C (2): IDTP = 6; B is unpaired: IDFP = 8 − 6 = 2, IDFN = 8 − 6 = 2.
    // IDF1 = 12 / (12 + 2 + 2) = 0.75, IDP = IDR = 6/8 = 0.75.
    const gt = [...[1, 2, 3, 4, 5, 6].map((f) => b(f, 1, 0)), b(5, 2, 100), b(6, 2, 100)];
    const hyp = [...[1, 2, 3, 4].map((f) => b(f, 10, 0)), b(5, 11, 0), b(6, 11, 0), b(5, 12, 100), b(6, 12, 100)];
    const m = evaluateMot(gt, hyp);
    expect(m).toMatchObject({ IDTP: 6, IDFP: 2, IDFN: 2, IDsw: 1, FP: 0, FN: 0 });
    expect(m.IDF1).toBeCloseTo(0.75, 12);
    expect(m.IDP).toBeCloseTo(0.75, 12);
    expect(m.IDR).toBeCloseTo(0.75, 12);
    // MOTA = 1 − 1/8 (the switch).
    expect(m.MOTA).toBeCloseTo(0.875, 12);
  });

  it('prefers the pairing with the most overlapping frames over a greedy one', () => {
    // Object 1: frames 1–3 with A, frames 4–5 with B. Object 2: frames 4–6 with A.
    // Taking the largest overlap first could pair 1–A (3 frames), and object 2 then has nobody (B is
    // never on it): 3. The best total is 1–B (2) + 2–A (3) = 5: IDTP = 5.
    // Boxes: objects 5 + 3 = 8, hypotheses 6 (A) + 2 (B) = 8: IDFP = IDFN = 3, IDF1 = 10/16 = 0.625.
    const gt = [...[1, 2, 3, 4, 5].map((f) => b(f, 1, 0)), ...[4, 5, 6].map((f) => b(f, 2, 100))];
    const hyp = [...[1, 2, 3].map((f) => b(f, 10, 0)), ...[4, 5, 6].map((f) => b(f, 10, 100)), b(4, 11, 0), b(5, 11, 0)];
    const m = evaluateMot(gt, hyp);
    expect(m).toMatchObject({ IDTP: 5, IDFP: 3, IDFN: 3 });
    expect(m.IDF1).toBeCloseTo(0.625, 12);
  });
});
