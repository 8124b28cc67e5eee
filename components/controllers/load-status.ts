/**
 * What `<loupe-live>` says about loading and failures: the phase (`loading`, `compiling`, `warming`,
 * `running`, `failed`), the progress, the backend report, and the failure or notice to show, derived
 * from its children's events. Plain TypeScript; unit-tested in Node.
 */
import type { BackendReport } from '../../models/index.js';
import type { ErrorDetail, ProgressDetail } from '../events.js';

export type Phase = 'loading' | 'compiling' | 'warming' | 'running' | 'failed';

/** Which child an error came from, and what the detector says of itself when it is the detector. */
export type ErrorOrigin = { from: 'camera' | 'overlay' } | { from: 'detector'; detectorReady: boolean; detectorFailed: boolean };

export class LoadStatus {
  phase: Phase = 'loading';
  /** 0..1 of the weights downloaded, or null before any progress. */
  fraction: number | null = null;
  /** Fraction of the shaders compiled at load (phase `compiling`); null when the load compiled none. */
  compiled: number | null = null;
  report: BackendReport | null = null;
  /** Why the model could not start or frames fail (a card over the stage). */
  failure: ErrorDetail | null = null;
  /** A failure recovered from by itself (a lost GPU context, a refused backend): shown until frames run. */
  notice: ErrorDetail | null = null;
  /** The camera or clip failed and shows its own message (with its way out): no card over it. */
  sourceFailed = false;

  progress({ fraction, phase, compiled }: ProgressDetail): void {
    if (fraction === 0 && phase !== 'compile') {
      this.phase = 'loading';
      this.failure = null;
      this.report = null;
      this.compiled = null;
    }
    if (phase === 'compile') {
      this.phase = 'compiling';
      this.compiled = compiled ?? 0;
    }
    this.fraction = fraction;
  }

  backend(report: BackendReport): void {
    this.report = report;
    // The first frame can take longer than the rest (without a warm-up at load, it compiles the kernels).
    this.phase = 'warming';
  }

  detections(): void {
    this.phase = 'running';
    this.failure = null;
    this.notice = null;
  }

  sourceReady(): void {
    this.sourceFailed = false;
  }

  error(detail: ErrorDetail, origin: ErrorOrigin): void {
    if (origin.from === 'camera') {
      if (detail.type !== 'bad-option') this.sourceFailed = true;
      return;
    }
    if (origin.from !== 'detector' || detail.type === 'bad-option') return;
    if (detail.type === 'backend-lost' || (detail.type === 'backend-failed' && origin.detectorReady && this.phase !== 'running')) {
      // The detector goes on by itself (a fresh context or device, or the next backend): say why.
      this.notice = detail;
    } else if (origin.detectorFailed || this.phase !== 'running') {
      // A failed load, or frames failing before any succeeded: nothing else on screen says why.
      this.phase = 'failed';
      this.failure = detail;
    }
  }
}
