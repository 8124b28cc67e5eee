/**
 * The tracker a user writes by hand, to compare Loupe's with (docs/tracking.md): each frame, boxes at or
 * above a score are linked to the previous frame's boxes greedily, highest IoU first, down to a least IoU;
 * an unlinked box starts a new id, and an id not seen in a frame is gone.
 */
import { iou } from '../src/postprocess/nms.js';
import type { MotBox } from './mot.js';
import type { TrackedFrame } from './track-frames.js';

export interface GreedyIouOptions {
  /** Boxes below this score are dropped. */
  scoreThreshold: number;
  /** Least IoU to link a box to one of the previous frame. */
  iouThreshold: number;
}

export function greedyIouTrack(frames: readonly TrackedFrame[], classId: number, options: GreedyIouOptions): MotBox[] {
  const out: MotBox[] = [];
  let previous: MotBox[] = [];
  let nextId = 1;
  for (const frame of frames) {
    const boxes = frame.detections
      .filter((d) => d.classId === classId && d.score >= options.scoreThreshold)
      .map((d) => ({ frame: frame.frame, id: 0, x: d.bbox[0], y: d.bbox[1], width: d.bbox[2], height: d.bbox[3], score: d.score }));
    const pairs: { iou: number; p: number; b: number }[] = [];
    for (const [p, prev] of previous.entries()) {
      for (const [b, box] of boxes.entries()) {
        const overlap = iou(prev, box);
        if (overlap >= options.iouThreshold) pairs.push({ iou: overlap, p, b });
      }
    }
    pairs.sort((x, y) => y.iou - x.iou || x.p - y.p || x.b - y.b);
    const usedPrevious = new Set<number>();
    for (const { p, b } of pairs) {
      if (usedPrevious.has(p) || boxes[b]!.id !== 0) continue;
      usedPrevious.add(p);
      boxes[b]!.id = previous[p]!.id;
    }
    for (const box of boxes) if (box.id === 0) box.id = nextId++;
    out.push(...boxes);
    previous = boxes;
  }
  return out;
}
