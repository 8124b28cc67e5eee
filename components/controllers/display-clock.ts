/**
 * The displayed frames of a video, for `<loupe-overlay predict>`: while it follows a video, the host is
 * told of every frame the browser presents (`requestVideoFrameCallback`), so the overlay can draw its
 * tracked boxes predicted to that frame's time. A paused video presents nothing, and nothing moves.
 */
export class DisplayClock {
  private video: HTMLVideoElement | null = null;
  private handle = 0;

  /** `onFrame`: a frame was presented; its media time is `time()`. */
  constructor(private readonly onFrame: () => void) {}

  /** The followed video's media time in ms (the clock `detect()` stamps a video's frames with). */
  time(): number | undefined {
    return this.video ? this.video.currentTime * 1000 : undefined;
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
