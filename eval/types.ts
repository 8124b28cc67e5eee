/** What crosses between `eval/run.mjs` (Node) and `eval/page.ts` (the browser): plain JSON data. */
import type { BackendPreference, BackendReport, FrameIngest, ModelSource, SmallObjectsSetting, TrackOptions } from '../models/index.js';

/** A registry id, or a model given by URL (`ultralytics:<url or path>` on the command line). */
export type EvalModelSpec = string | ModelSource;

export interface EvalLoadOptions {
  model: EvalModelSpec;
  backend: BackendPreference;
  scoreThreshold: number;
  maxDetections: number;
  inputSize?: number;
  ingest?: FrameIngest;
  rectInput?: boolean;
  /** `DetectorOptions.track` (npm run eval -- --track). */
  track?: boolean | TrackOptions;
}

export interface EvalModelInfo {
  labels: string[];
  backend: BackendReport;
  inputSize: { width: number; height: number };
}

/** One detection in source pixels: `bbox` is COCO's `[x, y, width, height]`. */
export interface EvalDetection {
  bbox: [number, number, number, number];
  score: number;
  classId: number;
  /** With tracking on: `Detection.trackId`. */
  trackId?: number;
}

export interface EvalImageResult {
  /** Size of the decoded picture, to check against the annotations. */
  width: number;
  height: number;
  detections: EvalDetection[];
  /** `detect()` wall time (`timings.total`), ms. */
  ms: number;
  /** Model executions `detect()` made for this picture (more than 1 in tiled / multi-scale modes). */
  executions: number;
  /** Small-object mode: whether the tiles went through the model as one batch. */
  batched?: boolean;
}

/** What `eval/page.ts` puts on `window.loupeEval`. */
export interface EvalPageApi {
  load(options: EvalLoadOptions): Promise<EvalModelInfo>;
  /**
   * `smallObjects`: the mode for this call (false: one pass); absent: the detector's setting.
   * `timestamp`: the frame's time in ms (tracking), as `detect(source, { timestamp })`.
   */
  detect(url: string, smallObjects?: SmallObjectsSetting, timestamp?: number): Promise<EvalImageResult>;
  dispose(): void;
}
