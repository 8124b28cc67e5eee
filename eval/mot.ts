/**
 * Multi-object tracking metrics as the MOTChallenge devkit computes them for 2D MOT 2015 (every ground
 * truth row counts; no ignore regions or distractor classes):
 *
 * CLEAR-MOT (Bernardin & Stiefelhagen 2008; the devkit's clearMOT loop): frame by frame, a ground-truth
 * object keeps the hypothesis it was matched to in the previous frame if both are there and their IoU is
 * still ≥ 0.5; the objects and hypotheses left are matched by a min-cost assignment on 1 − IoU among pairs
 * with IoU ≥ 0.5 (the most pairs, then the smallest total cost). An identity switch is counted when an
 * object that was also in the previous frame is matched to another hypothesis than the last one it was
 * ever matched to. FP = hypotheses not matched, FN = objects not matched,
 * MOTA = 1 − (FN + FP + IDsw) / Σ objects, MOTP = mean IoU of the matches.
 *
 * Identity metrics (Ristani et al. 2016, the devkit's IDmeasures): each ground-truth trajectory is paired
 * with at most one hypothesis trajectory, globally, to maximise the frames where the two overlap by
 * IoU ≥ 0.5 (IDTP) — the min-cost bipartite matching of trajectories with dummy nodes, which comes to
 * the same pairs. IDFN = object boxes − IDTP, IDFP = hypothesis boxes − IDTP,
 * IDF1 = 2·IDTP / (2·IDTP + IDFP + IDFN), IDP = IDTP / (IDTP + IDFP), IDR = IDTP / (IDTP + IDFN).
 *
 * The sequence is frames 1..`frames` (default: the last ground-truth frame); hypotheses outside it are
 * not scored, as in the devkit.
 */
import { iou } from '../src/postprocess/nms.js';
import { AssignmentSolver } from '../src/track/assignment.js';

export { formatMot, type MotBox } from '../src/track/export.js';
import type { MotBox } from '../src/track/export.js';

export class MotFormatError extends Error {}

/**
 * Parses MOTChallenge text (`frame, id, left, top, width, height, conf, x, y, z` per line; commas or
 * spaces; blank lines skipped). Throws `MotFormatError` naming the line for anything else.
 */
export function parseMot(text: string, source = 'MOT file'): MotBox[] {
  const boxes: MotBox[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s*,\s*|\s+/).map(Number);
    const [frame, id, x, y, width, height, score = 1] = fields;
    const where = `${source}, line ${index + 1}`;
    if (fields.length < 6 || fields.slice(0, 7).some((v) => !Number.isFinite(v))) {
      throw new MotFormatError(`${where}: expected frame, id, left, top, width, height[, conf, …] as numbers; got "${line.trim()}".`);
    }
    if (!Number.isInteger(frame) || frame! < 1) throw new MotFormatError(`${where}: frame must be a whole number ≥ 1; got ${frame}.`);
    if (!Number.isInteger(id)) throw new MotFormatError(`${where}: id must be a whole number; got ${id}.`);
    if (!(width! >= 0 && height! >= 0)) throw new MotFormatError(`${where}: width and height must be ≥ 0.`);
    boxes.push({ frame: frame!, id: id!, x: x!, y: y!, width: width!, height: height!, score: score! });
  }
  return boxes;
}

export interface MotMetrics {
  /** 1 − (FN + FP + IDsw) / objects; may be negative. */
  MOTA: number;
  /** Mean IoU of the matched pairs (the devkit's MOTP for boxes); NaN without matches. */
  MOTP: number;
  FP: number;
  FN: number;
  IDsw: number;
  /** Matched object–hypothesis pairs over all frames. */
  matches: number;
  IDF1: number;
  IDP: number;
  IDR: number;
  IDTP: number;
  IDFP: number;
  IDFN: number;
  /** Ground-truth trajectories tracked for ≥ 80 % / < 20 % of their frames (mostly tracked / lost). */
  MT: number;
  ML: number;
  /** Object boxes, hypothesis boxes (inside the sequence), frames, ground-truth and hypothesis ids. */
  objects: number;
  hypotheses: number;
  frames: number;
  objectIds: number;
  hypothesisIds: number;
}

export interface MotOptions {
  /** Least IoU of a match. Default 0.5 (the devkit's). */
  iouThreshold?: number;
  /** Frames of the sequence (1..frames). Default: the last frame with ground truth. */
  frames?: number;
}

/** The devkit's `1e8` for a pair that may not match: the assignment first maximises the number of matches. */
const FORBIDDEN = 1e8;


function byFrame(boxes: readonly MotBox[], frames: number, what: string): MotBox[][] {
  const perFrame: MotBox[][] = Array.from({ length: frames + 1 }, () => []);
  for (const box of boxes) {
    if (box.frame < 1 || box.frame > frames) continue;
    const list = perFrame[box.frame]!;
    if (list.some((other) => other.id === box.id)) throw new MotFormatError(`${what}: id ${box.id} appears twice in frame ${box.frame}.`);
    list.push(box);
  }
  return perFrame;
}

export function evaluateMot(groundTruth: readonly MotBox[], hypotheses: readonly MotBox[], options: MotOptions = {}): MotMetrics {
  const threshold = options.iouThreshold ?? 0.5;
  const frames = options.frames ?? groundTruth.reduce((last, b) => Math.max(last, b.frame), 0);
  const gtFrames = byFrame(groundTruth, frames, 'ground truth');
  const hypFrames = byFrame(hypotheses, frames, 'hypotheses');
  const solver = new AssignmentSolver();

  let matches = 0;
  let fp = 0;
  let fn = 0;
  let switches = 0;
  let iouSum = 0;
  let objects = 0;
  let hypothesisCount = 0;
  /** Object id → hypothesis id matched in the previous frame. */
  let previous = new Map<number, number>();
  /** Object id → the last hypothesis id it was ever matched to. */
  const lastMatched = new Map<number, number>();
  let previousObjects = new Set<number>();
  /** Object id → [frames present, frames matched] (for MT / ML). */
  const coverage = new Map<number, [number, number]>();
  /** `${object id} ${hypothesis id}` → frames the two overlap by ≥ threshold (for the identity metrics). */
  const overlaps = new Map<number, Map<number, number>>();
  const gtBoxesPerId = new Map<number, number>();
  const hypBoxesPerId = new Map<number, number>();

  for (let f = 1; f <= frames; f++) {
    const gts = gtFrames[f]!;
    const hyps = hypFrames[f]!;
    objects += gts.length;
    hypothesisCount += hyps.length;
    for (const g of gts) gtBoxesPerId.set(g.id, (gtBoxesPerId.get(g.id) ?? 0) + 1);
    for (const h of hyps) hypBoxesPerId.set(h.id, (hypBoxesPerId.get(h.id) ?? 0) + 1);

    // Identity overlaps: every pair of the frame at IoU ≥ threshold, not only the CLEAR matches.
    for (const g of gts) {
      for (const h of hyps) {
        if (iou(g, h) < threshold) continue;
        const row = overlaps.get(g.id) ?? new Map<number, number>();
        row.set(h.id, (row.get(h.id) ?? 0) + 1);
        overlaps.set(g.id, row);
      }
    }

    // CLEAR-MOT: keep last frame's matches that still hold.
    const current = new Map<number, MotBox>(); // object id → matched hypothesis box
    const taken = new Set<number>();
    const hypById = new Map(hyps.map((h) => [h.id, h]));
    for (const g of gts) {
      const hid = previous.get(g.id);
      const h = hid === undefined ? undefined : hypById.get(hid);
      if (h && iou(g, h) >= threshold) {
        current.set(g.id, h);
        taken.add(h.id);
      }
    }
    // Then the best assignment among the rest.
    const freeGts = gts.filter((g) => !current.has(g.id));
    const freeHyps = hyps.filter((h) => !taken.has(h.id));
    if (freeGts.length > 0 && freeHyps.length > 0) {
      const cost = new Float64Array(freeGts.length * freeHyps.length);
      for (const [r, g] of freeGts.entries()) {
        for (const [c, h] of freeHyps.entries()) {
          const distance = 1 - iou(g, h);
          cost[r * freeHyps.length + c] = distance > 1 - threshold ? FORBIDDEN : distance;
        }
      }
      solver.solve(cost, freeGts.length, freeHyps.length, FORBIDDEN);
      for (const [r, g] of freeGts.entries()) {
        const c = solver.rowToColumn[r]!;
        if (c >= 0) current.set(g.id, freeHyps[c]!);
      }
    }

    for (const g of gts) {
      const h = current.get(g.id);
      const cover = coverage.get(g.id) ?? [0, 0];
      cover[0]++;
      if (h) {
        cover[1]++;
        const last = lastMatched.get(g.id);
        if (previousObjects.has(g.id) && last !== undefined && last !== h.id) switches++;
        lastMatched.set(g.id, h.id);
        iouSum += iou(g, h);
      }
      coverage.set(g.id, cover);
    }
    matches += current.size;
    fp += hyps.length - current.size;
    fn += gts.length - current.size;
    previous = new Map([...current].map(([gid, h]) => [gid, h.id]));
    previousObjects = new Set(gts.map((g) => g.id));
  }

  // Identity: max Σ overlap over one-to-one trajectory pairs (cost −overlap; pairs that never overlap stay apart).
  const gtIds = [...gtBoxesPerId.keys()];
  const hypIds = [...hypBoxesPerId.keys()];
  let idtp = 0;
  if (gtIds.length > 0 && hypIds.length > 0) {
    const cost = new Float64Array(gtIds.length * hypIds.length);
    for (const [r, gid] of gtIds.entries()) {
      const row = overlaps.get(gid);
      for (const [c, hid] of hypIds.entries()) cost[r * hypIds.length + c] = -(row?.get(hid) ?? 0);
    }
    solver.solve(cost, gtIds.length, hypIds.length, 0);
    for (let r = 0; r < gtIds.length; r++) {
      const c = solver.rowToColumn[r]!;
      if (c >= 0) idtp -= cost[r * hypIds.length + c]!;
    }
  }
  const idfp = hypothesisCount - idtp;
  const idfn = objects - idtp;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  let mostlyTracked = 0;
  let mostlyLost = 0;
  for (const [present, matched] of coverage.values()) {
    if (matched >= 0.8 * present) mostlyTracked++;
    else if (matched < 0.2 * present) mostlyLost++;
  }
  return {
    MOTA: objects === 0 ? NaN : 1 - (fn + fp + switches) / objects,
    MOTP: matches === 0 ? NaN : iouSum / matches,
    FP: fp,
    FN: fn,
    IDsw: switches,
    matches,
    IDF1: ratio(2 * idtp, 2 * idtp + idfp + idfn),
    IDP: ratio(idtp, idtp + idfp),
    IDR: ratio(idtp, idtp + idfn),
    IDTP: idtp,
    IDFP: idfp,
    IDFN: idfn,
    MT: mostlyTracked,
    ML: mostlyLost,
    objects,
    hypotheses: hypothesisCount,
    frames,
    objectIds: gtIds.length,
    hypothesisIds: hypIds.length,
  };
}
