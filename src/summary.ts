import type { DetectionResult, DetectionSummary } from './types.js';

/** The plain-data part of a result (no GPU handles), as sent in events and across workers. */
export function summarizeResult(result: DetectionResult): DetectionSummary {
  const { detections, timings, backend, model, letterbox, levels } = result;
  return { detections, timings, backend, model, letterbox, levels };
}
