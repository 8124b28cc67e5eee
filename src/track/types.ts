/** Public shapes of the multi-object tracker (src/track/): plain data, no tfjs, no DOM. */
import type { Detection } from '../types.js';

/**
 * Where a track is in its life:
 * - `tentative`: started by one confident box, not yet seen again (no id on detections yet);
 * - `confirmed`: matched in `confirmFrames` updates in a row (or born on the tracker's first frame);
 * - `lost`: not matched in the last update; its box is the motion model's prediction, and it comes back as
 *   `confirmed` with the same id when a box matches it within `trackBufferMs`;
 * - `removed`: ended (lost for longer than `trackBufferMs`, or a tentative track that was not matched).
 */
export type TrackState = 'tentative' | 'confirmed' | 'lost' | 'removed';

/** A box in image pixels, top-left origin. */
export interface TrackBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One track as the tracker reports it. */
export interface Track {
  /** Positive integer, unique over the tracker's life (never reused, also not after `reset()`). */
  readonly id: number;
  readonly classId: number;
  readonly state: TrackState;
  /** The filtered box at the last update: the matched detection smoothed by the motion model, or its prediction. */
  readonly box: Readonly<TrackBox>;
  /** Velocity of the box centre, px per second. */
  readonly velocity: Readonly<{ x: number; y: number }>;
  /** Milliseconds from the first detection of the track to the last update. */
  readonly age: number;
  /** Updates in which a detection was matched to the track. */
  readonly hits: number;
  /** Timestamp (ms) of the last matched detection. */
  readonly lastSeen: number;
  /** Score of the last matched detection. */
  readonly score: number;
}

/** What a detection must give the tracker: a box in image pixels, a score and a class. */
export type TrackInput = Pick<Detection, 'x' | 'y' | 'width' | 'height' | 'score' | 'classId'>;

/**
 * Tracker settings. The defaults are ByteTrack's (Zhang et al. 2022) with its frame counts turned into
 * time, so they hold at any detection rate; the motion noise is per second (src/track/kalman.ts).
 */
export interface TrackOptions {
  /** Boxes at or above this score are matched first (ByteTrack's track_thresh). Default 0.5. */
  highScore?: number;
  /**
   * Boxes from `lowScore` up to `highScore` are matched second, only to tracks that stage one left
   * unmatched and that were seen in the previous update: they keep a partly hidden person's track alive
   * but never start one. Default 0.1.
   */
  lowScore?: number;
  /**
   * An unmatched box starts a tentative track from this score. Default 0.5 (ByteTrack: highScore + 0.1
   * for YOLOX's scores; CenterNet's run lower, and the confirmation on a second frame already keeps
   * one-frame false boxes out; measured in docs/tracking.md).
   */
  newTrackScore?: number;
  /** Least IoU between a track's predicted box and a confident box to match them. Default 0.2. */
  matchIou?: number;
  /** Least IoU for the second stage (low-score boxes). Default 0.5. */
  lowMatchIou?: number;
  /** Least IoU between a tentative track and a confident box. Default 0.3. */
  tentativeMatchIou?: number;
  /**
   * Stage one and tentative matches weigh the IoU by the box score (cost 1 − IoU·score), as ByteTrack
   * does on MOT17: of two overlapping boxes, the surer one wins. Default true.
   */
  fuseScore?: boolean;
  /**
   * How long a lost track waits to be found again, ms. Default 2000: a walker behind another or a post
   * for up to 2 s (ByteTrack: 30 frames, 1 s at MOT17's 30 fps, 3 s at PETS's 10 fps).
   */
  trackBufferMs?: number;
  /** Updates in a row with a match before a new track is confirmed. Default 2. */
  confirmFrames?: number;
  /** Only boxes of the track's class match it. Default true. */
  classAware?: boolean;
  /** Motion noise of the Kalman filter (see src/track/kalman.ts); partial settings keep the other defaults. */
  motion?: Partial<MotionSettings>;
}

/** The motion model's noise, relative to the box height (src/track/kalman.ts). */
export interface MotionSettings {
  /** Position diffusion, box heights per √s. Default 0.27 (ByteTrack's h/20 per frame at 30 fps). */
  position: number;
  /** White-noise acceleration, box heights per s^1.5. Default 1.0 (ByteTrack's h/160 per frame at 30 fps). */
  acceleration: number;
  /** Standard deviation of a detected box's edges, box heights. Default 0.05 (ByteTrack's h/20). */
  measurement: number;
  /** Factor on the noise of the width and height axes. Default 1. */
  sizeFactor: number;
  /** Uncertainty of a new track's velocity, box heights per second. Default 1.9 (ByteTrack's 10·h/160 per frame at 30 fps). */
  initialVelocity: number;
}

/** One update's outcome. The tracker reuses it: valid until the next `update()` or `reset()`. */
export interface TrackerUpdate {
  /**
   * `trackIds[i]`: id of the track detection i continues, 0 when it continues none (a low box that matched
   * nothing, a new or tentative track's first box). Only the first `detections.length` entries are this frame's.
   */
  readonly trackIds: Int32Array;
  /** Every track after the update that is not removed (tentative, confirmed, lost), oldest first. */
  readonly tracks: readonly Track[];
  /** Tracks confirmed in this update (their first id-carrying frame). */
  readonly started: readonly Track[];
  /** Tracks removed in this update that had been confirmed (state `removed`). */
  readonly ended: readonly Track[];
}
