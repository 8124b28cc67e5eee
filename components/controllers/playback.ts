/**
 * Pause and resume of `<loupe-live>`: the picture stops on the frame it shows, the detector runs once
 * more on exactly that frame (so the boxes are those of the still picture, not of a frame before it),
 * and nothing runs until resume (a paused video presents no frames). Resume plays the video again and
 * the frame loop goes on by itself. A new source plays (the camera opens it playing).
 *
 * Plain TypeScript (no Lit): `<loupe-live>` hands over the source each time one is ready; this class
 * listens to the video's own play/pause, so the button also follows pauses from elsewhere (a page, the
 * browser's media controls).
 */

/** What pause/resume needs of a video (an `HTMLVideoElement` has all of it). */
export interface PlayableVideo {
  readonly paused: boolean;
  pause(): void;
  play(): Promise<void>;
  addEventListener(type: 'play' | 'pause', listener: () => void): void;
  removeEventListener(type: 'play' | 'pause', listener: () => void): void;
}

export interface PlaybackHost {
  /** The pause state changed: render again. */
  requestUpdate(): void;
  /** Runs the detector once on the frame showing now (`<loupe-detector>.refresh()`). */
  detectCurrentFrame(): void;
}

export class Playback {
  private video: PlayableVideo | null = null;

  constructor(private readonly host: PlaybackHost) {}

  /** Whether there is a video to pause (a still picture has nothing to pause). */
  get available(): boolean {
    return this.video !== null;
  }

  /** Whether the video is paused. */
  get paused(): boolean {
    return this.video?.paused ?? false;
  }

  /** Follows `video` (null: a still picture, or no source). */
  follow(video: PlayableVideo | null): void {
    if (video === this.video) return;
    this.video?.removeEventListener('play', this.onChange);
    this.video?.removeEventListener('pause', this.onChange);
    this.video = video;
    video?.addEventListener('play', this.onChange);
    video?.addEventListener('pause', this.onChange);
    this.host.requestUpdate();
  }

  pause(): void {
    if (!this.video || this.video.paused) return;
    this.video.pause();
    this.host.detectCurrentFrame();
  }

  /** Plays again; a refused play() (autoplay policy) leaves the button saying Resume. */
  resume(): void {
    void this.video?.play().catch(() => undefined);
  }

  toggle(): void {
    if (this.paused) this.resume();
    else this.pause();
  }

  private readonly onChange = (): void => this.host.requestUpdate();
}
