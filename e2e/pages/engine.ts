/**
 * Script of e2e/pages/engine.html: runs the engine API directly on the fake camera (or a URL) and
 * returns plain data, for specs that must not depend on the elements.
 */
import * as tf from '@tensorflow/tfjs';
import { createDetector, summarizeResult, type BackendPreference, type BackendReport, type DetectionSummary, type FrameIngest } from '../../models/index.js';

export interface EngineRun {
  backend: BackendReport;
  frames: DetectionSummary[];
  /** Source size as the page saw it. */
  width: number;
  height: number;
  cameraLabel: string;
}

async function openCamera(): Promise<{ video: HTMLVideoElement; label: string }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  await video.play();
  return { video, label: stream.getVideoTracks()[0]?.label ?? '' };
}

async function run(options: { backend: BackendPreference; frames: number; scoreThreshold?: number; ingest?: FrameIngest; rectInput?: boolean }): Promise<EngineRun> {
  const detector = await createDetector({ model: 'centernet', backend: options.backend, scoreThreshold: options.scoreThreshold ?? 0.3, ingest: options.ingest, rectInput: options.rectInput });
  const { video, label } = await openCamera();
  const frames: DetectionSummary[] = [];
  try {
    for (let i = 0; i < options.frames; i++) {
      const result = await detector.detect(video);
      frames.push(summarizeResult(result));
      result.dispose();
    }
  } finally {
    detector.dispose();
    for (const track of (video.srcObject as MediaStream).getTracks()) track.stop();
  }
  return { backend: detector.backend, frames, width: video.videoWidth, height: video.videoHeight, cameraLabel: label };
}

(window as unknown as { loupeEngine: { run: typeof run; tf: typeof tf } }).loupeEngine = { run, tf };
document.body.dataset.ready = 'true';
