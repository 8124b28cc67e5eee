/**
 * Multi-object tracker in the ByteTrack family (Zhang et al., "ByteTrack: Multi-Object Tracking by
 * Associating Every Detection Box", ECCV 2022), with time instead of frame counts.
 *
 * Each update, at a timestamp in ms:
 * 1. every track's Kalman filter (src/track/kalman.ts) is predicted to the timestamp;
 * 2. confident boxes (score ≥ highScore) are matched to confirmed and lost tracks on 1 − IoU·score with
 *    the predicted boxes (min-cost assignment, src/track/assignment.ts);
 * 3. low boxes (lowScore ≤ score < highScore) are matched to the confirmed tracks stage 2 left over, on
 *    1 − IoU: a person half hidden behind another gives a weak box that still continues their track;
 *    confirmed tracks still unmatched become lost;
 * 4. the confident boxes left are matched to tentative tracks; a tentative track unmatched is removed,
 *    one matched `confirmFrames` times in a row is confirmed (and gets its id onto detections);
 * 5. confident boxes still left (score ≥ newTrackScore) start tentative tracks;
 * 6. lost tracks not seen for more than trackBufferMs are removed.
 * Matching is class-aware. Everything runs on buffers that grow to the largest frame seen and are then
 * reused (track records are pooled), and the order of work depends only on the input: the same
 * detections and timestamps give the same ids.
 */
import { AssignmentSolver, grow } from './assignment.js';
import { CX, CY, FILTER_SIZE, HEIGHT, WIDTH, STRIDE, initFilter, predictFilter, updateFilter, type MotionNoise } from './kalman.js';
import type { MotionSettings, Track, TrackBox, TrackerUpdate, TrackInput, TrackOptions, TrackState } from './types.js';

export const DEFAULT_MOTION: Readonly<MotionSettings> = { position: 0.27, acceleration: 1.0, measurement: 0.05, sizeFactor: 1, initialVelocity: 1.9 };

export const DEFAULT_TRACK_OPTIONS: Readonly<Required<Omit<TrackOptions, 'motion'>>> & { motion: Readonly<MotionSettings> } = {
  highScore: 0.5,
  lowScore: 0.1,
  newTrackScore: 0.5,
  matchIou: 0.2,
  lowMatchIou: 0.5,
  tentativeMatchIou: 0.3,
  fuseScore: true,
  trackBufferMs: 2000,
  confirmFrames: 2,
  classAware: true,
  motion: DEFAULT_MOTION,
};

/** Settings after defaults and checks. */
export type ResolvedTrackOptions = typeof DEFAULT_TRACK_OPTIONS;

/** Thrown for an option outside its range (the engine turns it into a `bad-option` LoupeError). */
export class TrackOptionError extends RangeError {}

/** Fills in the defaults and checks every setting; throws `TrackOptionError` naming the bad one. */
export function resolveTrackOptions(options: TrackOptions = {}): ResolvedTrackOptions {
  const resolved = { ...DEFAULT_TRACK_OPTIONS, ...definedOnly(options), motion: { ...DEFAULT_MOTION, ...definedOnly(options.motion ?? {}) } };
  const fraction = (name: string, value: number) => {
    if (!(value >= 0 && value <= 1)) throw new TrackOptionError(`track.${name} must be between 0 and 1; got ${value}.`);
  };
  for (const name of ['highScore', 'lowScore', 'newTrackScore', 'matchIou', 'lowMatchIou', 'tentativeMatchIou'] as const) fraction(name, resolved[name]);
  if (resolved.lowScore > resolved.highScore) throw new TrackOptionError(`track.lowScore (${resolved.lowScore}) must not exceed track.highScore (${resolved.highScore}).`);
  if (!(resolved.trackBufferMs >= 0 && Number.isFinite(resolved.trackBufferMs))) throw new TrackOptionError(`track.trackBufferMs must be a finite number ≥ 0; got ${resolved.trackBufferMs}.`);
  if (!(Number.isInteger(resolved.confirmFrames) && resolved.confirmFrames >= 1)) throw new TrackOptionError(`track.confirmFrames must be a whole number ≥ 1; got ${resolved.confirmFrames}.`);
  for (const [name, value] of Object.entries(resolved.motion)) {
    if (!(value >= 0 && Number.isFinite(value))) throw new TrackOptionError(`track.motion.${name} must be a finite number ≥ 0; got ${value}.`);
  }
  if (!(resolved.motion.measurement > 0)) throw new TrackOptionError('track.motion.measurement must be above 0.');
  return resolved;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A track's mutable record; pooled, handed out as the read-only `Track`. */
class TrackRecord implements Track {
  id = 0;
  classId = 0;
  state: TrackState = 'removed';
  readonly box: TrackBox = { x: 0, y: 0, width: 0, height: 0 };
  readonly velocity = { x: 0, y: 0 };
  age = 0;
  hits = 0;
  lastSeen = 0;
  score = 0;
  /** Timestamp (ms) of the first detection. */
  firstSeen = 0;
  /** The Kalman filter: 4 axes × [p, v, ppp, ppv, pvv] (src/track/kalman.ts). */
  readonly filter = new Float64Array(FILTER_SIZE);
  /** Updates in a row with a match (for confirmation). */
  streak = 0;
  /** Was confirmed at some point (so its removal is an end worth reporting). */
  confirmed = false;

  /** Box and velocity from the filter. */
  sync(): void {
    const f = this.filter;
    const width = Math.max(f[WIDTH * STRIDE]!, 1);
    const height = Math.max(f[HEIGHT * STRIDE]!, 1);
    this.box.x = f[CX * STRIDE]! - width / 2;
    this.box.y = f[CY * STRIDE]! - height / 2;
    this.box.width = width;
    this.box.height = height;
    this.velocity.x = f[CX * STRIDE + 1]!;
    this.velocity.y = f[CY * STRIDE + 1]!;
  }
}

/** The association stages (see the module comment): which tracks take part. */
const STAGE_CONFIDENT = 0; // confirmed and lost tracks, confident boxes
const STAGE_LOW = 1; // confirmed tracks unmatched so far, low boxes
const STAGE_TENTATIVE = 2; // tentative tracks, confident boxes left
type Stage = typeof STAGE_CONFIDENT | typeof STAGE_LOW | typeof STAGE_TENTATIVE;

export class Tracker {
  readonly options: ResolvedTrackOptions;
  private readonly noise: MotionNoise;
  private readonly solver = new AssignmentSolver();
  /** Live tracks (not removed), oldest first. */
  private active: TrackRecord[] = [];
  private pool: TrackRecord[] = [];
  private nextId = 1;
  private time: number | undefined;

  // Per-update work buffers, grown on demand and reused.
  private cost = new Float64Array(256);
  private rows = new Int32Array(16); // indices into `active` of the tracks of one stage
  private columns = new Int32Array(16); // indices into the detections of one stage
  private predicted = new Float64Array(64); // per active track: x1, y1, x2, y2 of the predicted box
  private detectionTaken = new Uint8Array(16);
  private trackMatched = new Uint8Array(16);
  private trackIdsBuffer = new Int32Array(16);
  private readonly result: { trackIds: Int32Array; tracks: TrackRecord[]; started: TrackRecord[]; ended: TrackRecord[] } = { trackIds: this.trackIdsBuffer, tracks: [], started: [], ended: [] };
  /** Records removed in the previous update: back to the pool at the start of the next one (`ended` stays valid until then). */
  private retiring: TrackRecord[] = [];

  constructor(options: TrackOptions = {}) {
    this.options = resolveTrackOptions(options);
    const m = this.options.motion;
    this.noise = { position: m.position, acceleration: m.acceleration, measurement: m.measurement, sizeFactor: m.sizeFactor, initialVelocity: m.initialVelocity };
  }

  /** The live tracks (tentative, confirmed, lost) as of the last update, oldest first. */
  get tracks(): readonly Track[] {
    return this.active;
  }

  /**
   * Associates one frame's detections (any order; boxes in image px) taken at `timestamp` (ms) with the
   * tracks. Timestamps must not go back: an earlier one than the last update is a new sequence (a seek or
   * a looping video), which first ends every track, as `reset()`. The same timestamp again is a frame with
   * no time between (no motion predicted).
   */
  update(detections: readonly TrackInput[], timestamp: number): TrackerUpdate {
    if (!Number.isFinite(timestamp)) throw new TrackOptionError(`timestamp must be a finite number of ms; got ${timestamp}.`);
    const result = this.result;
    for (const record of this.retiring) this.pool.push(record);
    this.retiring.length = 0;
    result.started.length = 0;
    result.ended.length = 0;
    if (this.time !== undefined && timestamp < this.time) {
      this.endAll();
      this.time = undefined;
    }
    const firstFrame = this.time === undefined;
    const dt = this.time === undefined ? 0 : (timestamp - this.time) / 1000;
    this.time = timestamp;

    const count = detections.length;
    this.reserve(count, this.active.length + count);
    const trackIds = this.trackIdsBuffer;
    trackIds.fill(0, 0, count);
    this.detectionTaken.fill(0, 0, count);
    const o = this.options;

    // 1. Predict every track to now.
    const active = this.active;
    for (let t = 0; t < active.length; t++) {
      const track = active[t]!;
      predictFilter(track.filter, 0, dt, this.noise);
      track.sync();
      const b = track.box;
      this.predicted[t * 4] = b.x;
      this.predicted[t * 4 + 1] = b.y;
      this.predicted[t * 4 + 2] = b.x + b.width;
      this.predicted[t * 4 + 3] = b.y + b.height;
    }
    this.trackMatched.fill(0, 0, active.length);

    // 2. Confident boxes ↔ confirmed and lost tracks.
    let rowCount = this.selectTracks(STAGE_CONFIDENT);
    let columnCount = this.selectDetections(detections, o.highScore, Infinity);
    this.associate(detections, rowCount, columnCount, 1 - o.matchIou, o.fuseScore, timestamp);

    // 3. Low boxes ↔ tracks confirmed (seen in the previous update) that stage 2 left over.
    rowCount = this.selectTracks(STAGE_LOW);
    columnCount = this.selectDetections(detections, o.lowScore, o.highScore);
    this.associate(detections, rowCount, columnCount, 1 - o.lowMatchIou, false, timestamp);
    for (let t = 0; t < active.length; t++) {
      const track = active[t]!;
      if (track.state === 'confirmed' && !this.trackMatched[t]) {
        track.state = 'lost';
        track.streak = 0;
        // A lost box keeps moving but stops growing or shrinking (as ByteTrack's lost tracks).
        track.filter[WIDTH * STRIDE + 1] = 0;
        track.filter[HEIGHT * STRIDE + 1] = 0;
      }
    }

    // 4. Confident boxes left ↔ tentative tracks.
    rowCount = this.selectTracks(STAGE_TENTATIVE);
    columnCount = this.selectDetections(detections, o.highScore, Infinity);
    this.associate(detections, rowCount, columnCount, 1 - o.tentativeMatchIou, o.fuseScore, timestamp);
    for (let t = 0; t < active.length; t++) {
      const track = active[t]!;
      if (track.state !== 'tentative') continue;
      if (!this.trackMatched[t]) track.state = 'removed';
      else if (track.streak >= o.confirmFrames) this.confirm(track);
    }

    // 5. New tracks from the confident boxes nobody took.
    for (let d = 0; d < count; d++) {
      const det = detections[d]!;
      if (this.detectionTaken[d] || !(det.score >= o.newTrackScore) || !(det.width > 0 && det.height > 0)) continue;
      const track = this.pool.pop() ?? new TrackRecord();
      track.id = this.nextId++;
      track.classId = det.classId;
      track.state = 'tentative';
      track.hits = 1;
      track.streak = 1;
      track.firstSeen = timestamp;
      track.lastSeen = timestamp;
      track.age = 0;
      track.score = det.score;
      track.confirmed = false;
      initFilter(track.filter, 0, det.x + det.width / 2, det.y + det.height / 2, det.width, det.height, this.noise);
      track.sync();
      active.push(track);
      // On the tracker's first frame there is no history to doubt a box: its tracks start confirmed.
      if (firstFrame || o.confirmFrames <= 1) {
        this.confirm(track);
        trackIds[d] = track.id;
      }
    }

    // 6. Lost too long → removed; the removed leave the active list (order kept).
    let kept = 0;
    for (let t = 0; t < active.length; t++) {
      const track = active[t]!;
      if (track.state === 'lost' && timestamp - track.lastSeen > o.trackBufferMs) track.state = 'removed';
      if (track.state === 'removed') {
        if (track.confirmed) result.ended.push(track);
        this.retiring.push(track);
      } else {
        track.age = track.lastSeen - track.firstSeen;
        active[kept++] = track;
      }
    }
    active.length = kept;
    result.trackIds = this.trackIdsBuffer;
    result.tracks = active;
    return result;
  }

  /** Ends every track (they are reported as `ended` by the next update) and forgets the time. Ids keep counting. */
  reset(): void {
    this.endAll();
    this.time = undefined;
    for (const record of this.retiring) this.pool.push(record);
    this.retiring.length = 0;
  }

  private endAll(): void {
    for (const track of this.active) {
      track.state = 'removed';
      if (track.confirmed) this.result.ended.push(track);
      this.retiring.push(track);
    }
    this.active.length = 0;
  }

  private confirm(track: TrackRecord): void {
    track.state = 'confirmed';
    track.confirmed = true;
    this.result.started.push(track);
  }

  /** Puts the indices of the active tracks that take part in `stage` into `rows`; returns how many. */
  private selectTracks(stage: Stage): number {
    let n = 0;
    for (let t = 0; t < this.active.length; t++) {
      const state = this.active[t]!.state;
      const takes =
        stage === STAGE_CONFIDENT ? state === 'confirmed' || state === 'lost'
        : stage === STAGE_LOW ? state === 'confirmed' && this.trackMatched[t] === 0
        : state === 'tentative';
      if (takes) this.rows[n++] = t;
    }
    return n;
  }

  /** Puts the indices of untaken detections with min ≤ score < max into `columns`; returns how many. */
  private selectDetections(detections: readonly TrackInput[], min: number, max: number): number {
    let n = 0;
    for (let d = 0; d < detections.length; d++) {
      const score = detections[d]!.score;
      if (!this.detectionTaken[d] && score >= min && score < max) this.columns[n++] = d;
    }
    return n;
  }

  /** Min-cost matching of the selected tracks and detections; matched tracks take their detection. */
  private associate(detections: readonly TrackInput[], rowCount: number, columnCount: number, maxCost: number, fuseScore: boolean, timestamp: number): void {
    if (rowCount === 0 || columnCount === 0) return;
    const cost = this.cost;
    const classAware = this.options.classAware;
    for (let r = 0; r < rowCount; r++) {
      const t = this.rows[r]!;
      const track = this.active[t]!;
      const ax1 = this.predicted[t * 4]!;
      const ay1 = this.predicted[t * 4 + 1]!;
      const ax2 = this.predicted[t * 4 + 2]!;
      const ay2 = this.predicted[t * 4 + 3]!;
      const areaA = (ax2 - ax1) * (ay2 - ay1);
      for (let c = 0; c < columnCount; c++) {
        const det = detections[this.columns[c]!]!;
        let value = Infinity;
        if (!classAware || det.classId === track.classId) {
          const iw = Math.min(ax2, det.x + det.width) - Math.max(ax1, det.x);
          const ih = Math.min(ay2, det.y + det.height) - Math.max(ay1, det.y);
          if (iw > 0 && ih > 0) {
            const intersection = iw * ih;
            const iou = intersection / (areaA + det.width * det.height - intersection);
            value = 1 - (fuseScore ? iou * det.score : iou);
          }
        }
        cost[r * columnCount + c] = value;
      }
    }
    this.solver.solve(cost, rowCount, columnCount, maxCost);
    const o = this.options;
    for (let r = 0; r < rowCount; r++) {
      const c = this.solver.rowToColumn[r]!;
      if (c < 0) continue;
      const t = this.rows[r]!;
      const d = this.columns[c]!;
      const track = this.active[t]!;
      const det = detections[d]!;
      updateFilter(track.filter, 0, det.x + det.width / 2, det.y + det.height / 2, det.width, det.height, this.noise);
      track.sync();
      track.hits++;
      track.streak++;
      track.lastSeen = timestamp;
      track.score = det.score;
      if (track.state === 'lost') track.state = 'confirmed';
      this.trackMatched[t] = 1;
      this.detectionTaken[d] = 1;
      if (track.state === 'confirmed' || track.streak >= o.confirmFrames) this.trackIdsBuffer[d] = track.id;
    }
  }

  private reserve(detections: number, tracks: number): void {
    if (this.trackIdsBuffer.length < detections) this.trackIdsBuffer = new Int32Array(grow(detections));
    if (this.detectionTaken.length < detections) this.detectionTaken = new Uint8Array(grow(detections));
    if (this.columns.length < detections) this.columns = new Int32Array(grow(detections));
    if (this.rows.length < tracks) this.rows = new Int32Array(grow(tracks));
    if (this.trackMatched.length < tracks) this.trackMatched = new Uint8Array(grow(tracks));
    if (this.predicted.length < tracks * 4) this.predicted = new Float64Array(grow(tracks * 4));
    if (this.cost.length < tracks * detections) this.cost = new Float64Array(grow(tracks * detections));
  }
}
