/** Multi-object tracking (ByteTrack family, time-based): see src/track/tracker.ts and docs/tracking.md. */
export { Tracker, resolveTrackOptions, TrackOptionError, DEFAULT_TRACK_OPTIONS, DEFAULT_MOTION, type ResolvedTrackOptions } from './tracker.js';
export { AssignmentSolver } from './assignment.js';
export type * from './types.js';
export { withTracking, trackOptionsOf, frameTimestamp } from './with-tracking.js';
export { detectVideoFrames, type VideoPassOptions, type VideoPassFrame } from './video-pass.js';
export { tracksToMot, tracksToJson, motBoxesOf, formatMot, type MotBox, type TrackedFrameRecord, type TracksExport } from './export.js';
export { predictTracked, MAX_PREDICTION_MS, type PredictedFrame } from './predict.js';
