/**
 * Script of e2e/pages/track-file.html: `window.runTrackPass(options)` runs createDetector({ track })
 * over the clip's frames with detectVideoFrames(), hands each result to the overlay, and returns what
 * the pass gave (frame times, detections with ids, tracks) plus the MOT and JSON exports.
 */
import * as tf from '@tensorflow/tfjs';
import '../../components/index.js';
import { createDetector, detectVideoFrames, tracksToJson, tracksToMot, type BackendPreference, type TrackedFrameRecord, type TrackSummary } from '../../models/index.js';

interface PassOptions {
  backend: BackendPreference;
  fps?: number;
  end: number;
}

async function runTrackPass({ backend, fps, end }: PassOptions) {
  const video = document.querySelector('video')!;
  const overlay = document.querySelector('loupe-overlay')!;
  const detector = await createDetector({ model: 'centernet', backend, track: true });
  const records: TrackedFrameRecord[] = [];
  const tracks: TrackSummary[][] = [];
  const progress: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  let tensorsLeft = 0;
  try {
    for await (const { index, time, progress: done, result } of detectVideoFrames(detector, video, { ...(fps ? { fps } : {}), end })) {
      records.push({ frame: index + 1, time, detections: result.detections });
      tracks.push(result.tracks ?? []);
      progress.push(done);
      overlay.result = result;
      await overlay.updateComplete;
      result.dispose();
    }
    tensorsLeft = tf.memory().numTensors - tensorsBefore;
  } finally {
    detector.dispose();
  }
  return {
    records,
    tracks,
    progress,
    tensorsLeft,
    mot: tracksToMot(records),
    json: tracksToJson(records, { model: 'centernet', width: video.videoWidth, height: video.videoHeight }),
  };
}

/** What `runTrackPass` returns (for the spec's types). */
export type TrackPass = Awaited<ReturnType<typeof runTrackPass>>;

(window as unknown as { runTrackPass: typeof runTrackPass }).runTrackPass = runTrackPass;
