import type { DetectionResult, DetectionSummary } from './types.js';

/** The plain-data part of a result (no GPU handles), as sent in events and across workers. */
export function summarizeResult(result: DetectionResult): DetectionSummary {
  const { detections, timings, backend, model, letterbox, levels, executions, ingest, smallObjects, tracks, trackTime, trackEvents } = result;
  const summary: DetectionSummary = { detections, timings, backend, model, letterbox, levels };
  if (executions !== undefined) summary.executions = executions;
  if (ingest) summary.ingest = ingest;
  if (smallObjects) summary.smallObjects = smallObjects;
  if (tracks) summary.tracks = tracks;
  if (trackTime !== undefined) summary.trackTime = trackTime;
  if (trackEvents) summary.trackEvents = trackEvents;
  return summary;
}
