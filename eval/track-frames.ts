/**
 * The Node side of `npm run eval -- --track`: a video's per-frame detections (as the page returns them,
 * cached as JSON) turned into MOTChallenge rows by Loupe's tracker, and scored.
 */
import { Tracker, type TrackOptions } from '../src/track/index.js';
import { evaluateMot, parseMot, type MotBox, type MotMetrics } from './mot.js';
import type { EvalDetection } from './types.js';

/** One decoded video frame's detections: `frame` 1-based (MOTChallenge), `timestamp` ms from the first frame. */
export interface TrackedFrame {
  frame: number;
  timestamp: number;
  detections: readonly EvalDetection[];
  /** Ids the page's tracker gave (`Detection.trackId`), index-aligned with `detections`; absent: not tracked there. */
  trackIds?: readonly (number | undefined)[];
}

/** The file `--save-detections` writes and `--detections` reads. */
export interface DetectionsFile {
  video: string;
  model: string;
  backend: string;
  labels: string[];
  fps: number;
  width: number;
  height: number;
  /** Lowest score the detector returned (the tracker's low boxes must be above it). */
  scoreThreshold: number;
  frames: TrackedFrame[];
}

/**
 * Runs Loupe's tracker over the frames (only boxes of `classId`) and returns every detection it gave a
 * track id, as the hypotheses of a MOTChallenge results file (box = the detection's box).
 */
export function trackFrames(frames: readonly TrackedFrame[], classId: number, options: TrackOptions = {}): MotBox[] {
  const tracker = new Tracker(options);
  const out: MotBox[] = [];
  for (const frame of frames) {
    const inputs = frame.detections
      .filter((d) => d.classId === classId)
      .map((d) => ({ x: d.bbox[0], y: d.bbox[1], width: d.bbox[2], height: d.bbox[3], score: d.score, classId: d.classId }));
    const { trackIds } = tracker.update(inputs, frame.timestamp);
    for (const [i, input] of inputs.entries()) {
      const id = trackIds[i]!;
      if (id > 0) out.push({ frame: frame.frame, id, x: input.x, y: input.y, width: input.width, height: input.height, score: input.score });
    }
  }
  return out;
}

/** The ids the page's own tracker put on the detections (`createDetector({ track })`), as MOT rows. */
export function pageTracks(frames: readonly TrackedFrame[], classId: number): MotBox[] {
  const out: MotBox[] = [];
  for (const frame of frames) {
    for (const [i, d] of frame.detections.entries()) {
      const id = frame.trackIds?.[i];
      if (d.classId === classId && id !== undefined) out.push({ frame: frame.frame, id, x: d.bbox[0], y: d.bbox[1], width: d.bbox[2], height: d.bbox[3], score: d.score });
    }
  }
  return out;
}

export function scoreTracks(groundTruthText: string, source: string, hypotheses: readonly MotBox[], frames?: number): MotMetrics {
  return evaluateMot(parseMot(groundTruthText, source), hypotheses, frames === undefined ? {} : { frames });
}

export { parseMot, formatMot, evaluateMot } from './mot.js';
export { greedyIouTrack } from './track-baselines.js';
