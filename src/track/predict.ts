/**
 * Tracked boxes moved ahead in time by their tracks' motion: what `<loupe-overlay predict>` draws on each
 * displayed video frame between two detections, so that boxes keep up with the objects at the display
 * rate instead of trailing them by a detection's latency.
 *
 * Constant velocity (the Kalman filter's centre velocity, source px/s), for at most `maxAheadMs` past the
 * detection's time (a stalled detector must not send boxes flying), and kept inside the picture. Boxes
 * without a track (tracking off, a class the tracker skips) stay where they were detected.
 */
import type { Detection, TrackSummary } from '../types.js';

/** How far ahead boxes are moved at most: beyond it they wait for the next detection. */
export const MAX_PREDICTION_MS = 1000;

export interface PredictedFrame<D extends Detection> {
  detections: D[];
  tracks: TrackSummary[];
  /** Milliseconds the boxes were moved ahead by (after clamping). */
  aheadMs: number;
}

/**
 * The detections and tracks of a frame at `trackTime` (ms), moved to `displayTime` (ms, the same clock:
 * `frameTimestamp()` of the media element). A time before the frame's (a seek back) moves nothing.
 * `picture`: the source's size in px, which the boxes stay inside.
 */
export function predictTracked<D extends Detection>(
  detections: readonly D[],
  tracks: readonly TrackSummary[],
  trackTime: number,
  displayTime: number,
  picture: { width: number; height: number },
  maxAheadMs = MAX_PREDICTION_MS,
): PredictedFrame<D> {
  const aheadMs = Math.min(Math.max(displayTime - trackTime, 0), maxAheadMs);
  if (!(aheadMs > 0)) return { detections: [...detections], tracks: [...tracks], aheadMs: 0 };
  const seconds = aheadMs / 1000;
  const velocities = new Map<number, TrackSummary['velocity']>();
  for (const track of tracks) velocities.set(track.id, track.velocity);
  const moved = <B extends { x: number; y: number; width: number; height: number }>(box: B, velocity: TrackSummary['velocity'] | undefined): B => {
    if (!velocity) return box;
    return {
      ...box,
      x: clamp(box.x + velocity.x * seconds, 0, Math.max(0, picture.width - box.width)),
      y: clamp(box.y + velocity.y * seconds, 0, Math.max(0, picture.height - box.height)),
    };
  };
  return {
    detections: detections.map((detection) => (detection.trackId === undefined ? detection : moved(detection, velocities.get(detection.trackId)))),
    tracks: tracks.map((track) => ({ ...track, box: moved(track.box, track.velocity) })),
    aheadMs,
  };
}

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);
