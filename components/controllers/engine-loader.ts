/**
 * The load phase of `<loupe-detector>`: turns the element's load attributes into one engine `Detector`,
 * with progress, the fallback from a refused explicit backend to `auto` (said, never silent), and
 * generations, so that a load overtaken by a newer one (or by a disconnect) is aborted (its downloads
 * stop unless another element shares them) and drops its result.
 *
 * Plain TypeScript (no Lit): unit-tested in Node with the real `createDetector` on the CPU backend.
 */
import { LoupeError, type BackendPreference, type BackendReport, type Detector, type DetectorOptions, type LoadPhase, type LoupeErrorType, type SkippedBackend, type WorkerMode } from '../../models/index.js';
import type { ProgressDetail } from '../events.js';

/** What one load needs (the element's load attributes, already validated). */
export interface LoadRequest {
  model: DetectorOptions['model'];
  backend: BackendPreference;
  modelBaseUrl?: string | undefined;
  wasmPaths?: string | undefined;
  rectInput?: boolean;
  /** `DetectorOptions.track` (`<loupe-detector track>`: the tracker's defaults). */
  track?: boolean;
  worker?: WorkerMode | undefined;
  fetch?: typeof fetch;
  scoreThreshold?: number;
  maxDetections?: number;
}

export interface EngineLoaderEvents {
  progress(detail: ProgressDetail): void;
  error(type: LoupeErrorType, message: string): void;
}

/** A finished load: the engine and the report to announce (the refused backend listed first). */
export interface LoadOutcome {
  engine: Detector;
  report: BackendReport;
  refused?: SkippedBackend;
}

export class EngineLoader {
  /** Bumped by every load and by `invalidate()`: work carrying an older value is stale. */
  private current = 0;
  /** Aborts the newest generation's load (its downloads stop; a shared load goes on for its other users). */
  private controller = new AbortController();

  constructor(
    private readonly create: (options: DetectorOptions) => Promise<Detector>,
    private readonly events: EngineLoaderEvents,
  ) {}

  /** The generation of the newest load (compare with `isCurrent`). */
  get generation(): number {
    return this.current;
  }

  isCurrent(generation: number): boolean {
    return generation === this.current;
  }

  /** Makes every load in progress stale (a disconnect, a lost backend). */
  invalidate(): void {
    this.current += 1;
    this.abortCurrent();
  }

  private abortCurrent(): void {
    this.controller.abort(new DOMException('Superseded by a newer load, or the element was removed.', 'AbortError'));
    this.controller = new AbortController();
  }

  /** Starts a new generation; `load()` of it follows once the previous engine is released. */
  begin(): number {
    this.current += 1;
    this.abortCurrent();
    return this.current;
  }

  /**
   * Loads an engine for `request` as generation `generation` (from `begin()`), reporting progress up
   * to the compile phase (the caller says `ready` once it has taken the engine). Resolves with the
   * outcome, or null when the load failed (reported through `events.error`) or became stale (an engine
   * loaded for a stale generation is disposed here). A `backend-lost` during the load resolves null
   * after reporting it, with `retry` true: the caller loads again on a fresh context.
   */
  async load(generation: number, request: LoadRequest): Promise<{ outcome: LoadOutcome | null; retry: boolean }> {
    this.events.progress({ fraction: 0, phase: 'download' });
    const onPhase = (phase: LoadPhase, fraction: number): void => {
      if (!this.isCurrent(generation)) return;
      this.events.progress(phase === 'download' ? { fraction, phase } : { fraction: 1, phase, compiled: fraction });
    };
    const { backend, ...rest } = request;
    const base: DetectorOptions = { ...rest, onPhase, signal: this.controller.signal };
    let engine: Detector;
    let refused: SkippedBackend | undefined;
    try {
      try {
        engine = await this.create({ ...base, backend });
      } catch (error) {
        if (!(error instanceof LoupeError && error.type === 'backend-failed' && backend !== 'auto')) throw error;
        // The requested backend cannot start here: carry on with the best one, and say why.
        if (!this.isCurrent(generation)) return { outcome: null, retry: false };
        refused = { backend, reason: error.message };
        engine = await this.create({ ...base, backend: 'auto' });
      }
    } catch (error) {
      if (!this.isCurrent(generation)) return { outcome: null, retry: false };
      const type = error instanceof LoupeError ? error.type : 'model-load-failed';
      this.events.error(type, error instanceof Error ? error.message : String(error));
      return { outcome: null, retry: type === 'backend-lost' };
    }
    if (!this.isCurrent(generation)) {
      engine.dispose();
      return { outcome: null, retry: false };
    }
    const report = refused ? withRefused(engine.backend, refused) : engine.backend;
    return { outcome: refused ? { engine, report, refused } : { engine, report }, retry: false };
  }
}

/**
 * The report of an `auto` load that replaced a refused explicit backend: the refused one comes first,
 * said to be requested, with auto's own (shorter) reason for it when auto tried it too.
 */
export function withRefused(report: BackendReport, refused: SkippedBackend): BackendReport {
  const own = report.skipped.find((skip) => skip.backend === refused.backend);
  const rest = report.skipped.filter((skip) => skip.backend !== refused.backend);
  return { ...report, skipped: [{ backend: refused.backend, reason: `requested, but ${own?.reason ?? refused.reason}` }, ...rest] };
}
