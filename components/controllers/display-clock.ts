import { predictTracked } from '../../models/index.js';
import type { OverlayFrame } from '../layers/layer.js';

/** `<loupe-overlay predict>`'s last move of the tracked boxes (`overlay.prediction`), times in ms of the media's clock. */
export interface OverlayPrediction {
  /** The drawn result's frame time (`result.trackTime`). */
  trackTime: number;
  /** The displayed video frame's media time the boxes were moved to. */
  displayTime: number;
  /** How far they were moved ahead: displayTime − trackTime, clamped to 0..1000. */
  aheadMs: number;
}

/**
 * The displayed frames of a video, for `<loupe-overlay predict>`: while it follows a video, the host is
 * told of every frame the browser presents (`requestVideoFrameCallback`), so the overlay can draw its
 * tracked boxes predicted to that frame's time. A paused video presents nothing, and nothing moves.
 */
export class DisplayClock {
  private video: HTMLVideoElement | null = null;
  private handle = 0;
  /** What the last `shown()` moved the boxes by; null when it drew them where they were detected. */
  prediction: OverlayPrediction | null = null;

  /** `onFrame`: a frame was presented; its media time is `time()`. */
  constructor(private readonly onFrame: () => void) {}

  /** The followed video's media time in ms (the clock `detect()` stamps a video's frames with). */
  time(): number | undefined {
    return this.video ? this.video.currentTime * 1000 : undefined;
  }

  /** `frame` as drawn now: while a video is followed, its tracked boxes moved to the presented frame's time. */
  shown(frame: OverlayFrame | null): OverlayFrame | null {
    const time = this.time();
    this.prediction = null;
    if (!frame?.tracks || frame.trackTime === undefined || time === undefined) return frame;
    const picture = { width: frame.letterbox.sourceWidth, height: frame.letterbox.sourceHeight };
    const { detections, tracks, aheadMs } = predictTracked(frame.detections, frame.tracks, frame.trackTime, time, picture);
    this.prediction = { trackTime: frame.trackTime, displayTime: time, aheadMs };
    return { ...frame, detections, tracks };
  }

  /** Follows `video`'s presented frames; null stops. */
  follow(video: HTMLVideoElement | null): void {
    if (video === this.video) return;
    if (this.video && this.handle) this.video.cancelVideoFrameCallback(this.handle);
    this.handle = 0;
    this.video = video;
    if (video) this.next(video);
  }

  private next(video: HTMLVideoElement): void {
    this.handle = video.requestVideoFrameCallback(() => {
      if (this.video !== video) return;
      this.onFrame();
      this.next(video);
    });
  }
}
