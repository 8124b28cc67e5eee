/**
 * The offline pass over a video file: every frame of the file, in order, each detected at its own media
 * time, however long a detection takes (the live path drops the frames that arrive while the model is
 * busy; this one seeks the paused video from frame to frame instead). With `track`, the tracker sees the
 * file's real frame spacing, so the ids are those of the file, not of this machine's speed.
 *
 * Frame-exact by seeking: with `fps` the file's frame rate, frame i is sought at (i + ½) / fps s (the
 * middle of the frame, so no rounding lands on its neighbour) and detected, once `seeked` says it can be
 * read, at the time i / fps. The browser does not reliably say which frame a seek presented
 * (`requestVideoFrameCallback` comes before `seeked`, late, or not at all for the same frame or a
 * detached video), so the frame rate is the caller's: an `fps` above the file's repeats frames, one below
 * steps over some. Browser only (an `HTMLVideoElement`).
 */
import { LoupeError } from '../errors.js';
import type { DetectCallOptions, DetectionResult, Detector } from '../types.js';

export interface VideoPassOptions {
  /** The file's frame rate (default 30): the pass steps one frame at a time at this rate. Lower steps over frames. */
  fps?: number;
  /** Where to start and stop, seconds of media time (default: the whole file). */
  start?: number;
  end?: number;
  /** Per-call detect options (maps, small-object mode); the timestamp is the pass's. */
  detect?: Omit<DetectCallOptions, 'timestamp'>;
  /** Ends the pass early (the iterator returns; the result in hand is still the caller's). */
  signal?: AbortSignal;
}

/** One frame of the pass. The caller owns `result` (call `result.dispose()` when it holds maps). */
export interface VideoPassFrame {
  /** 0-based index among the frames the pass detected (from `start`). */
  index: number;
  /** The frame's media time, ms: index in the file / fps (what the tracker was given). */
  time: number;
  /** Share of the range done, 0..1. */
  progress: number;
  result: DetectionResult;
}

/** The most a seek may take before the pass gives up on the file. */
const SEEK_TIMEOUT_MS = 30_000;

/**
 * Detects every frame of `video` (a file: finite duration) in order. The video is paused for the pass and
 * left paused where it ended. `LoupeError('bad-input')` for a stream or a video that cannot seek; a
 * `bad-option` for a bad `fps`, `start` or `end`.
 *
 * ```js
 * for await (const { index, result } of detectVideoFrames(detector, video, { fps: 25 })) {
 *   rows.push(...result.detections.filter((d) => d.trackId).map((d) => ({ frame: index + 1, ...d })));
 * }
 * ```
 */
export async function* detectVideoFrames(detector: Detector, video: HTMLVideoElement, options: VideoPassOptions = {}): AsyncGenerator<VideoPassFrame, void, undefined> {
  const fps = options.fps ?? 30;
  if (!(Number.isFinite(fps) && fps > 0 && fps <= 240)) throw new LoupeError('bad-option', `fps must be a number of frames per second in (0, 240]; got ${fps}.`);
  await metadataOf(video);
  const duration = video.duration;
  if (!Number.isFinite(duration)) throw new LoupeError('bad-input', 'The offline pass needs a video file (a finite duration); this video is a live stream.');
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? duration, duration);
  if (!(start >= 0 && start < end)) throw new LoupeError('bad-option', `start must be ≥ 0 and before end (${end} s); got ${start}.`);
  video.pause();
  let index = 0;
  for (let step = Math.floor(start * fps); (step + 0.5) / fps < end; step++) {
    if (options.signal?.aborted) return;
    // Seek to the middle of the frame (no rounding lands on the frame before); its time is its start.
    await seekTo(video, (step + 0.5) / fps);
    const time = step / fps;
    const result = await detector.detect(video, { ...options.detect, timestamp: time * 1000 });
    yield { index, time: time * 1000, progress: Math.min(1, ((step + 1) / fps - start) / (end - start)), result };
    index += 1;
  }
}

function metadataOf(video: HTMLVideoElement): Promise<void> {
  if (video.readyState >= HTMLMediaElement.HAVE_METADATA) return Promise.resolve();
  if (video.error) return Promise.reject(mediaError(video));
  return new Promise((resolve, reject) => {
    const done = () => {
      video.removeEventListener('loadedmetadata', ok);
      video.removeEventListener('error', fail);
    };
    const ok = () => (done(), resolve());
    const fail = () => (done(), reject(mediaError(video)));
    video.addEventListener('loadedmetadata', ok);
    video.addEventListener('error', fail);
  });
}

function mediaError(video: HTMLVideoElement): LoupeError {
  return new LoupeError('bad-input', `The video could not be read (${video.error?.message || `media error ${video.error?.code ?? '?'}`}).`);
}

/** Seeks to `seconds` and resolves once the frame there can be read (`seeked`, a current frame). */
function seekTo(video: HTMLVideoElement, seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settle: ReturnType<typeof setTimeout> | undefined;
    const finish = (error?: LoupeError) => {
      clearTimeout(timer);
      clearTimeout(settle);
      video.removeEventListener('seeked', onSeeked);
      video.removeEventListener('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onSeeked = () => {
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) finish();
      else settle = setTimeout(onSeeked, 20);
    };
    const onError = () => finish(mediaError(video));
    const timer = setTimeout(() => finish(new LoupeError('bad-input', `Seeking the video to ${seconds.toFixed(3)} s took longer than ${SEEK_TIMEOUT_MS / 1000} s.`)), SEEK_TIMEOUT_MS);
    video.addEventListener('seeked', onSeeked);
    video.addEventListener('error', onError);
    video.currentTime = seconds;
  });
}
