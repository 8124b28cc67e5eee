/**
 * Script of e2e/pages/engine.html: runs the engine API directly on the fake camera (or a URL) and
 * returns plain data, for specs that must not depend on the elements.
 */
import * as tf from '@tensorflow/tfjs';
import { createDetector, summarizeResult, workerMemory, type BackendPreference, type BackendReport, type DetectionSummary, type FrameIngest, type WorkerMemory, type WorkerMode } from '../../models/index.js';

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

async function run(options: { backend: BackendPreference; frames: number; scoreThreshold?: number; ingest?: FrameIngest; rectInput?: boolean; worker?: WorkerMode }): Promise<EngineRun> {
  const detector = await createDetector({ model: 'centernet', backend: options.backend, scoreThreshold: options.scoreThreshold ?? 0.3, ingest: options.ingest, rectInput: options.rectInput, worker: options.worker });
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

export interface ThreadComparison {
  main: { backend: BackendReport; frames: DetectionSummary[] };
  worker: { backend: BackendReport; frames: DetectionSummary[] };
  /** The Worker's tfjs memory after the first and after the last frame (before dispose). */
  workerMemory: (WorkerMemory | null)[];
  /** After every detector was disposed: null when the Worker is gone. */
  workerMemoryAfterDispose: WorkerMemory | null;
  /** `detect(frame, { trace: true })` of the last frame on each side: the trace's candidate count and final rows. */
  trace: { main: { candidates: number; final: number[] } | null; worker: { candidates: number; final: number[] } | null };
}

/**
 * The same camera frames (captured once as ImageBitmaps) through a main-thread detector and a
 * worker-mode one: for the spec that both give the same detections.
 */
async function compareThreads(options: { model: string; backend: BackendPreference; frames: number }): Promise<ThreadComparison> {
  const { video } = await openCamera();
  const bitmaps: ImageBitmap[] = [];
  try {
    for (let i = 0; i < options.frames; i++) {
      bitmaps.push(await createImageBitmap(video));
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  } finally {
    for (const track of (video.srcObject as MediaStream).getTracks()) track.stop();
  }
  const main = await createDetector({ model: options.model, backend: options.backend, scoreThreshold: 0.3 });
  const worker = await createDetector({ model: options.model, backend: options.backend, scoreThreshold: 0.3, worker: true });
  const comparison: ThreadComparison = {
    main: { backend: main.backend, frames: [] },
    worker: { backend: worker.backend, frames: [] },
    workerMemory: [],
    workerMemoryAfterDispose: null,
    trace: { main: null, worker: null },
  };
  try {
    for (const [i, bitmap] of bitmaps.entries()) {
      const fromMain = await main.detect(bitmap);
      comparison.main.frames.push(summarizeResult(fromMain));
      fromMain.dispose();
      const fromWorker = await worker.detect(bitmap);
      comparison.worker.frames.push(summarizeResult(fromWorker));
      fromWorker.dispose();
      if (i === 0 || i === bitmaps.length - 1) comparison.workerMemory.push(await workerMemory());
    }
    // The explainers' trace crosses too (plain data).
    const last = bitmaps[bitmaps.length - 1]!;
    for (const [side, detector] of [['main', main], ['worker', worker]] as const) {
      const traced = await detector.detect(last, { trace: true });
      traced.dispose();
      comparison.trace[side] = traced.trace ? { candidates: traced.trace.candidates.length, final: [...traced.trace.final] } : null;
    }
  } finally {
    main.dispose();
    worker.dispose();
    for (const bitmap of bitmaps) bitmap.close();
  }
  comparison.workerMemoryAfterDispose = await workerMemory();
  return comparison;
}

(window as unknown as { loupeEngine: { run: typeof run; compareThreads: typeof compareThreads; tf: typeof tf } }).loupeEngine = { run, compareThreads, tf };
document.body.dataset.ready = 'true';
