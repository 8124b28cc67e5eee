/**
 * `<loupe-live>`'s offline pass over its video file: every frame in order at its own media time
 * (`detectVideoFrames`), with tracking, shown on the overlay as it goes, with its progress, a cancel, and
 * the tracks exported as MOTChallenge text or JSON once done. Plain TypeScript (no Lit): the element
 * gives it an engine to run and the video, and renders its state (components/internal/export-fields.ts).
 *
 * The pass runs on its own detector (same model and backend, `track: true`; the loaded graph is shared
 * with the live detector through the model cache, so nothing downloads again), so the live detector's
 * options and tracks are untouched; the live loop is paused meanwhile (the pass seeks the video).
 */
import {
  LoupeError,
  createDetector,
  detectVideoFrames,
  downloadBlob,
  tracksToJson,
  tracksToMot,
  type DetectionResult,
  type Detector,
  type TrackedFrameRecord,
  type TracksExport,
} from '../../models/index.js';
import type { ErrorDetail } from '../events.js';
import type { LoupeDetector } from '../loupe-detector.js';

export type FilePassState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface FilePassHost {
  /** The state or progress changed: render again. */
  requestUpdate(): void;
  /** The live detector and the video it reads, and the model base URL in effect. */
  target(): { detector: LoupeDetector | null; video: unknown; modelBaseUrl: string | undefined };
  /**
   * A frame of the pass to show (not to be kept past the next call: it is disposed then); null once the
   * pass ended (show the live results again).
   */
  show(result: DetectionResult | null): Promise<void> | void;
  reportError(error: ErrorDetail): void;
}

export class FilePass {
  state: FilePassState = 'idle';
  /** Share of the file done, 0..1. */
  progress = 0;
  /** The error that ended a failed pass. */
  error: unknown = null;
  private records: TrackedFrameRecord[] = [];
  private size = { model: '', width: 0, height: 0 };
  private controller: AbortController | null = null;

  constructor(private readonly host: FilePassHost) {}

  /** Frames detected so far. */
  get frames(): number {
    return this.records.length;
  }

  /** Distinct track ids seen so far. */
  get tracks(): number {
    return new Set(this.records.flatMap((record) => record.detections.flatMap((d) => (d.trackId === undefined ? [] : [d.trackId])))).size;
  }

  /** Whether a pass can start: a loaded live detector on a video file (a finite duration). */
  get available(): boolean {
    const { detector, video } = this.host.target();
    return !!detector?.engine && video instanceof HTMLVideoElement && Number.isFinite(video.duration);
  }

  /**
   * The whole pass for the live detector's video: pauses the live loop, runs the file at `fps` on a
   * tracking detector of the same model and backend, shows each frame, then restores the live loop (and
   * playback). A missing file or model, or a failure, is reported as a loupe-error.
   */
  async analyse(fps: number): Promise<void> {
    const { detector, video, modelBaseUrl } = this.host.target();
    const engine = detector?.engine;
    if (!detector || !engine || !this.available || !(video instanceof HTMLVideoElement)) {
      this.host.reportError({ type: 'bad-input', message: 'analyseFile() needs a video file as the source (src) and a loaded model.' });
      return;
    }
    const wasPaused = detector.paused;
    const wasPlaying = !video.paused;
    detector.paused = true;
    try {
      // Where the live detector runs (in the Worker it shares the Worker's loaded graph).
      const worker = engine.backend.thread === 'worker';
      const pass = await createDetector({ model: engine.model, backend: engine.backend.backend, track: true, worker, ...(modelBaseUrl ? { modelBaseUrl } : {}) });
      await this.run(pass, video, fps);
      if (this.state === 'failed') throw this.error;
    } catch (error) {
      this.host.reportError(error instanceof LoupeError ? { type: error.type, message: error.message } : { type: 'bad-input', message: String(error) });
    } finally {
      await this.host.show(null);
      detector.paused = wasPaused;
      if (wasPlaying) void video.play().catch(() => undefined);
    }
  }

  /**
   * Runs the pass over `video` with `engine` (a tracking detector the pass owns and disposes), `fps` frames
   * a second of the file. Resolves when it ends (done, cancelled or failed: see `state`); one at a time.
   */
  async run(engine: Detector, video: HTMLVideoElement, fps: number): Promise<void> {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    this.state = 'running';
    this.progress = 0;
    this.error = null;
    this.records = [];
    this.size = { model: engine.model, width: video.videoWidth, height: video.videoHeight };
    this.host.requestUpdate();
    try {
      for await (const { index, time, progress, result } of detectVideoFrames(engine, video, { fps, signal: controller.signal })) {
        try {
          this.records.push({ frame: index + 1, time, detections: result.detections });
          this.progress = progress;
          await this.host.show(result);
        } finally {
          result.dispose();
        }
        this.host.requestUpdate();
      }
      if (this.controller === controller) this.state = controller.signal.aborted ? 'cancelled' : 'done';
    } catch (error) {
      if (this.controller === controller) {
        this.state = 'failed';
        this.error = error;
      }
    } finally {
      engine.dispose();
      if (this.controller === controller) this.controller = null;
      this.host.requestUpdate();
    }
  }

  /** Ends a running pass after its current frame (state `cancelled`). */
  cancel(): void {
    this.controller?.abort();
  }

  /** The tracks of the frames done, as MOTChallenge text (1-based frames). */
  mot(): string {
    return tracksToMot(this.records);
  }

  /** The tracks of the frames done, as Loupe's JSON export. */
  json(): TracksExport {
    return tracksToJson(this.records, this.size);
  }

  /** Downloads the tracks as `loupe-tracks.txt` (MOT) or `loupe-tracks.json`. */
  download(format: 'mot' | 'json'): void {
    const [text, type, name] = format === 'mot' ? [this.mot(), 'text/plain', 'loupe-tracks.txt'] : [JSON.stringify(this.json(), null, 2), 'application/json', 'loupe-tracks.json'];
    downloadBlob(new Blob([text], { type }), name);
  }
}
