/**
 * The numbers `<loupe-live>` shows under the picture, and whether it shows the analysed frame or the
 * live video. Plain TypeScript, fed with each result's timings and a clock; unit-tested in Node.
 */
import type { StageTimings } from '../../models/index.js';

export interface Stats {
  fps: number;
  timings: StageTimings;
  count: number;
}

/**
 * How the picture under the overlay relates to the live video: `frame` the analysed frame with its exact
 * boxes; `live` the live video with the boxes of the latest result; `predict` the live video with tracked
 * boxes moved to each displayed frame's time; `auto` predict with tracking, else the analysed frame once
 * frames are slow and the live video while they are fast.
 */
export type SyncMode = 'auto' | 'frame' | 'live' | 'predict';
export const SYNC_MODES: readonly SyncMode[] = ['auto', 'frame', 'live', 'predict'];

/** What `sync` means with tracking on or off: `auto` predicts whenever there are tracks to predict from. */
export function effectiveSync(sync: SyncMode, tracking: boolean): SyncMode {
  return sync === 'auto' && tracking ? 'predict' : sync;
}

/** Numbers that change every frame are unreadable: the displayed stats refresh at this period. */
export const STATS_PERIOD_MS = 250;
/** Weight of the newest frame in the moving averages. */
export const SMOOTHING = 0.2;
/**
 * `auto` shows the analysed frame once frames take longer than this (the live video would visibly run
 * ahead of its boxes), and the live video again below the lower bound (hysteresis: no flicker).
 */
export const HOLD_ABOVE_MS = 250;
export const RELEASE_BELOW_MS = 120;

export class LiveStats {
  private average: Stats | null = null;
  private lastFrameAt = 0;
  private lastShownAt = 0;
  private shown: Stats | null = null;
  private holding = false;

  /** The stats to display (refreshed at most every STATS_PERIOD_MS), or null before the first result. */
  get displayed(): Stats | null {
    return this.shown;
  }

  /** Whether the overlay should show the analysed frame instead of the live video. */
  get holdFrame(): boolean {
    return this.holding;
  }

  /** A result arrived at `now` (ms): update the moving averages, the displayed stats and the hold. */
  add(timings: StageTimings, count: number, now: number, sync: SyncMode): void {
    const interval = this.lastFrameAt ? now - this.lastFrameAt : 0;
    this.lastFrameAt = now;
    const previous = this.average;
    const blend = (a: number, b: number): number => (previous ? a + (b - a) * SMOOTHING : b);
    this.average = {
      fps: interval > 0 ? blend(previous?.fps || 1000 / interval, 1000 / interval) : (previous?.fps ?? 0),
      timings: {
        preprocess: blend(previous?.timings.preprocess ?? 0, timings.preprocess),
        infer: blend(previous?.timings.infer ?? 0, timings.infer),
        decode: blend(previous?.timings.decode ?? 0, timings.decode),
        total: blend(previous?.timings.total ?? 0, timings.total),
      },
      count,
    };
    this.updateHold(sync);
    if (now - this.lastShownAt >= STATS_PERIOD_MS || !this.shown) {
      this.lastShownAt = now;
      this.shown = this.average;
    }
  }

  /** Re-decides the hold for `sync` (`frame` holds, `live`/`predict` never; `auto` from the averaged frame time). */
  updateHold(sync: SyncMode): void {
    const mode = SYNC_MODES.includes(sync) ? sync : 'auto';
    const total = this.average?.timings.total ?? 0;
    if (mode !== 'auto') this.holding = mode === 'frame';
    else if (total > HOLD_ABOVE_MS) this.holding = true;
    else if (total < RELEASE_BELOW_MS) this.holding = false;
  }

  /** Another model, backend or source: its frame rates mean nothing for the previous one. */
  reset(): void {
    this.average = null;
    this.shown = null;
    this.lastFrameAt = 0;
  }
}
