/**
 * The frame loop of `<loupe-detector>`: one detection per presented video frame, or one per still
 * picture, never two at once. A video frame that arrives while a detection runs is dropped, not
 * queued (the next one is fresher); a still picture changed during a run is run once more after it.
 *
 * Plain TypeScript (no Lit): the element decides when the loop may run and what one run does; this
 * class owns the scheduling, the busy flag and the run in flight. Unit-tested in Node with fake videos.
 */

/** What the loop needs of a video (an `HTMLVideoElement` has all of it). */
export interface VideoLike {
  readonly readyState: number;
  readonly currentTime: number;
  readonly paused: boolean;
  readonly ended: boolean;
  requestVideoFrameCallback?(callback: () => void): number;
  cancelVideoFrameCallback?(handle: number): void;
}

/** `HTMLMediaElement.HAVE_CURRENT_DATA`: the current frame can be read (a constant, so Node tests need no DOM). */
export const HAVE_CURRENT_DATA = 2;

export interface FrameLoopHost<Source> {
  /** Whether `source` is a video (followed frame by frame) rather than a still picture (run once). */
  isVideo(source: Source): source is Source & VideoLike;
  /** One detection of `source`. Its errors are the host's to report: a rejection here only ends the run. */
  runOnce(source: Source): Promise<void>;
  /** Schedules `callback` for the next display frame where a video has no `requestVideoFrameCallback`. */
  requestAnimationFrame(callback: () => void): () => void;
}

export class FrameLoop<Source> {
  /** Bumped whenever the loop stops or restarts, so callbacks of an older loop end. */
  private token = 0;
  /** Bumped by `invalidate()`: a run started before must not ask for a rerun. */
  private epoch = 0;
  private cancelScheduled: (() => void) | null = null;
  private running = false;
  private rerunOf: Source | null = null;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly host: FrameLoopHost<Source>) {}

  /** Whether a detection is running now. */
  get busy(): boolean {
    return this.running;
  }

  /** The run in flight (resolved when none): wait for it before disposing what it uses. */
  get inflight(): Promise<void> {
    return this.current;
  }

  /** Stops following a video (a run in flight finishes). */
  stop(): void {
    this.token += 1;
    this.cancelScheduled?.();
    this.cancelScheduled = null;
  }

  /** Stops, then follows `source` frame by frame (a video) or runs it once (a still picture). */
  start(source: Source): void {
    this.stop();
    if (this.host.isVideo(source)) this.follow(source, this.token);
    else this.request(source);
  }

  /** Runs `source` now, or once more right after the run in flight. */
  request(source: Source): void {
    if (this.running) this.rerunOf = source;
    else void this.run(source);
  }

  /**
   * Forgets the run in flight without waiting for it (its backend is gone and it may never settle) and
   * any rerun it would have asked for; the next `start()` or `request()` runs at once.
   */
  invalidate(): void {
    this.stop();
    this.epoch += 1;
    this.running = false;
    this.rerunOf = null;
    this.current = Promise.resolve();
  }

  private follow(video: Source & VideoLike, token: number): void {
    let lastTime = -1;
    const onFrame = (): void => {
      if (token !== this.token) return;
      // requestAnimationFrame ticks faster than most videos: only a new frame is worth a run.
      if (!this.running && video.readyState >= HAVE_CURRENT_DATA && video.currentTime !== lastTime) {
        lastTime = video.currentTime;
        void this.run(video);
      }
      schedule();
    };
    const schedule = (): void => {
      if (token !== this.token) return;
      if (video.requestVideoFrameCallback && video.cancelVideoFrameCallback) {
        const handle = video.requestVideoFrameCallback(onFrame);
        this.cancelScheduled = () => video.cancelVideoFrameCallback?.(handle);
      } else {
        this.cancelScheduled = this.host.requestAnimationFrame(onFrame);
      }
    };
    // A paused video presents no new frames, so run on the frame it shows now.
    onFrame();
  }

  private async run(source: Source): Promise<void> {
    const epoch = this.epoch;
    this.running = true;
    const task = this.host.runOnce(source).catch(() => undefined);
    this.current = task;
    try {
      await task;
    } finally {
      if (epoch === this.epoch) this.running = false;
    }
    const again = this.rerunOf;
    if (again !== null && epoch === this.epoch) {
      this.rerunOf = null;
      this.request(again);
    }
  }
}
