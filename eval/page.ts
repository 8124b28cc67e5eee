/**
 * Script of eval/page.html: runs the real detector (`createDetector` from models/index.ts) on one dataset
 * picture at a time for `eval/run.mjs`, and returns plain data.
 */
import { createDetector, type Detector, type DetectionResult, type SmallObjectsSetting } from '../models/index.js';
import type { EvalDetection, EvalImageResult, EvalLoadOptions, EvalModelInfo, EvalPageApi } from './types.js';

let detector: Detector | undefined;

async function load(options: EvalLoadOptions): Promise<EvalModelInfo> {
  detector?.dispose();
  const { model, backend, scoreThreshold, maxDetections, inputSize, ingest, rectInput, track } = options;
  detector = await createDetector({ model, backend, scoreThreshold, maxDetections, inputSize, ingest, rectInput, track });
  return { labels: [...detector.labels], backend: detector.backend, inputSize: detector.inputSize };
}

/** The last picture, decoded: several modes in a row run on the same one. */
let lastImage: { url: string; image: HTMLImageElement } | undefined;

async function loadImage(url: string): Promise<HTMLImageElement> {
  if (lastImage?.url === url) return lastImage.image;
  const image = new Image();
  image.src = url;
  try {
    await image.decode();
  } catch (error) {
    throw new Error(`Cannot load or decode ${decodeURI(url)}`, { cause: error });
  }
  lastImage = { url, image };
  return image;
}

/** Model executions behind one result: a field multi-pass modes report, else one. */
function executionsOf(result: DetectionResult): number {
  const reported = (result as { executions?: unknown }).executions;
  return typeof reported === 'number' ? reported : 1;
}

async function detect(url: string, smallObjects?: SmallObjectsSetting, timestamp?: number): Promise<EvalImageResult> {
  if (!detector) throw new Error('load() first');
  const image = await loadImage(url);
  const result = await detector.detect(image, { ...(smallObjects === undefined ? {} : { smallObjects }), ...(timestamp === undefined ? {} : { timestamp }) });
  try {
    const detections: EvalDetection[] = result.detections.map((d) => ({ bbox: [d.x, d.y, d.width, d.height], score: d.score, classId: d.classId, ...(d.trackId === undefined ? {} : { trackId: d.trackId }) }));
    const batched = result.smallObjects?.batched;
    return { width: image.naturalWidth, height: image.naturalHeight, detections, ms: result.timings.total, executions: executionsOf(result), ...(batched === undefined ? {} : { batched }) };
  } finally {
    result.dispose();
  }
}

function dispose(): void {
  detector?.dispose();
  detector = undefined;
}

const api: EvalPageApi = { load, detect, dispose };
(window as unknown as { loupeEval: EvalPageApi }).loupeEval = api;
document.body.dataset.ready = 'true';
