/**
 * Tracks as files: the MOTChallenge text format (what the MOTChallenge devkit, TrackEval and
 * `npm run eval -- --track` read) and Loupe's JSON. Input: the frames of a pass with their detections
 * (`detectVideoFrames`, or any loop over `detect()` with `track`); only boxes with a `trackId` are tracks.
 * Plain data, no DOM.
 */
import type { Detection } from '../types.js';

/** One row of a MOTChallenge file: frame (1-based), id, box (left, top, width, height, px), score. */
export interface MotBox {
  frame: number;
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Column 7: 1 for ground truth that counts; a confidence in results files. */
  score: number;
}

/** A frame of a pass: its 1-based number in the file, its media time (ms) and its detections. */
export interface TrackedFrameRecord {
  frame: number;
  time: number;
  detections: readonly Detection[];
}

/** MOTChallenge results text: `frame,id,left,top,width,height,conf,-1,-1,-1`, one line per box, by frame then id. */
export function formatMot(boxes: readonly MotBox[]): string {
  const sorted = [...boxes].sort((a, b) => a.frame - b.frame || a.id - b.id);
  const n = (v: number) => String(Math.round(v * 100) / 100);
  return sorted.map((b) => `${b.frame},${b.id},${n(b.x)},${n(b.y)},${n(b.width)},${n(b.height)},${n(b.score)},-1,-1,-1\n`).join('');
}

/** The tracked boxes of `frames` as MOT rows (all classes; filter `detections` first for one). */
export function motBoxesOf(frames: readonly TrackedFrameRecord[]): MotBox[] {
  return frames.flatMap(({ frame, detections }) =>
    detections.flatMap((d) => (d.trackId === undefined ? [] : [{ frame, id: d.trackId, x: d.x, y: d.y, width: d.width, height: d.height, score: d.score }])),
  );
}

/** The tracked boxes of `frames` as MOTChallenge text. */
export function tracksToMot(frames: readonly TrackedFrameRecord[]): string {
  return formatMot(motBoxesOf(frames));
}

/** Loupe's JSON export of a pass: per track its class and boxes, frame by frame. */
export interface TracksExport {
  model: string;
  /** Size of the analysed frames, px. */
  width: number;
  height: number;
  frames: number;
  /** ISO 8601 time of the export. */
  createdAt: string;
  tracks: { id: number; label: string; classId: number; boxes: { frame: number; time: number; x: number; y: number; width: number; height: number; score: number }[] }[];
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export function tracksToJson(
  frames: readonly TrackedFrameRecord[],
  info: { model: string; width: number; height: number },
  createdAt: Date = new Date(),
): TracksExport {
  const tracks = new Map<number, TracksExport['tracks'][number]>();
  for (const { frame, time, detections } of frames) {
    for (const d of detections) {
      if (d.trackId === undefined) continue;
      const track = tracks.get(d.trackId) ?? { id: d.trackId, label: d.label, classId: d.classId, boxes: [] };
      track.boxes.push({ frame, time: round(time, 2), x: round(d.x, 2), y: round(d.y, 2), width: round(d.width, 2), height: round(d.height, 2), score: round(d.score, 4) });
      tracks.set(d.trackId, track);
    }
  }
  return { ...info, frames: frames.length, createdAt: createdAt.toISOString(), tracks: [...tracks.values()].sort((a, b) => a.id - b.id) };
}
