/**
 * `createDetector({ track })`: a detector whose results carry track ids. It wraps any `Detector`: the
 * model runs with its score threshold lowered to the tracker's `lowScore` (the second-stage boxes that
 * keep half-hidden people's tracks alive), the tracker (src/track/tracker.ts) links the boxes to tracks at
 * the frame's time, and the result keeps the boxes at or above the caller's `scoreThreshold` plus the
 * weaker ones that continue a track, each with its `trackId` when it has one.
 */
import { LoupeError } from '../errors.js';
import type { Detection, DetectCallOptions, DetectionResult, Detector, FrameSource, RunOptions, RunOptionsPatch, TrackSummary } from '../types.js';
import { Tracker, TrackOptionError, resolveTrackOptions } from './tracker.js';
import type { Track, TrackOptions } from './types.js';

/** `DetectorOptions.track` checked (a `bad-option` LoupeError otherwise); undefined when tracking is off. */
export function trackOptionsOf(setting: boolean | TrackOptions | undefined): TrackOptions | undefined {
  if (setting === undefined || setting === false) return undefined;
  if (setting !== true && (typeof setting !== 'object' || setting === null)) {
    throw new LoupeError('bad-option', `track must be true, false or TrackOptions; got ${JSON.stringify(setting)}.`);
  }
  const options = setting === true ? {} : setting;
  try {
    resolveTrackOptions(options);
  } catch (error) {
    if (error instanceof TrackOptionError) throw new LoupeError('bad-option', error.message);
    throw error;
  }
  return options;
}

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The frame's time in ms: a video's media time, a VideoFrame's timestamp, else the clock. */
export function frameTimestamp(source: FrameSource): number {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) return source.currentTime * 1000;
  if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame && source.timestamp !== null) return source.timestamp / 1000;
  return clock();
}

class TrackingDetector implements Detector {
  private readonly tracker: Tracker;
  /** The caller's score threshold (the model runs at min(this, lowScore)). */
  private scoreThreshold: number;

  constructor(
    private readonly inner: Detector,
    options: TrackOptions,
  ) {
    this.tracker = new Tracker(options);
    this.scoreThreshold = inner.runOptions.scoreThreshold;
    this.lowerInner();
  }

  get model(): string {
    return this.inner.model;
  }
  get labels(): readonly string[] {
    return this.inner.labels;
  }
  get backend() {
    return this.inner.backend;
  }
  get inputSize() {
    return this.inner.inputSize;
  }
  get warmUp() {
    return this.inner.warmUp;
  }
  get runOptions(): Readonly<RunOptions> {
    return { ...this.inner.runOptions, scoreThreshold: this.scoreThreshold };
  }

  whenLost(): Promise<LoupeError> {
    return this.inner.whenLost();
  }

  setOptions(patch: RunOptionsPatch): void {
    // The inner detector validates (and resolves null to the model's default); then it runs lower again.
    this.inner.setOptions(patch);
    if (patch.scoreThreshold !== undefined) this.scoreThreshold = this.inner.runOptions.scoreThreshold;
    this.lowerInner();
  }

  private lowerInner(): void {
    this.inner.setOptions({ scoreThreshold: Math.min(this.scoreThreshold, this.tracker.options.lowScore) });
  }

  async detect(source: FrameSource, call: DetectCallOptions = {}): Promise<DetectionResult> {
    const timestamp = call.timestamp ?? frameTimestamp(source);
    if (!Number.isFinite(timestamp)) throw new LoupeError('bad-option', `timestamp must be a finite number of ms; got ${timestamp}.`);
    const result = await this.inner.detect(source, call);
    const update = this.tracker.update(result.detections, timestamp);
    const kept: Detection[] = [];
    for (const [i, detection] of result.detections.entries()) {
      const trackId = update.trackIds[i]!;
      if (trackId > 0) kept.push({ ...detection, trackId });
      else if (detection.score >= this.scoreThreshold) kept.push(detection);
    }
    result.detections = kept;
    result.tracks = update.tracks.map((track) => this.summary(track));
    result.trackTime = timestamp;
    result.trackEvents = { started: update.started.map((t) => this.summary(t)), ended: update.ended.map((t) => this.summary(t)) };
    return result;
  }

  private summary(track: Track): TrackSummary {
    return {
      id: track.id,
      classId: track.classId,
      label: this.inner.labels[track.classId] ?? String(track.classId),
      state: track.state,
      box: { ...track.box },
      velocity: { ...track.velocity },
      age: track.age,
      hits: track.hits,
      lastSeen: track.lastSeen,
      score: track.score,
    };
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/** `inner` with tracking (options already checked by `trackOptionsOf`). */
export function withTracking(inner: Detector, options: TrackOptions): Detector {
  return new TrackingDetector(inner, options);
}
