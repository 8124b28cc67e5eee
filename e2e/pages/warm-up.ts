/**
 * Script of e2e/pages/warm-up.html: loads CenterNet on a GPU backend with or without the warm-up at load
 * and reports which GPU programs the backend had compiled after `createDetector()` resolved and which
 * the first `detect()` of a fake-camera frame added.
 */
import * as tf from '@tensorflow/tfjs';
import { createDetector, type BackendPreference, type LoadPhase, type WarmUpReport } from '../../models/index.js';
import { compiledProgramKeys } from '../../src/runtime/warm-up.js';

export interface WarmUpRun {
  backend: string;
  warmUp: WarmUpReport | undefined;
  phases: [LoadPhase, number][];
  /** Programs compiled when createDetector() resolved. */
  programsAtLoad: number;
  /** Programs the first detect() compiled, by tfjs program class (WebGL) or key prefix (WebGPU). */
  newInFirstFrame: string[];
  /** Programs the second detect() compiled. */
  newInSecondFrame: number;
  loadMs: number;
  firstFrameMs: number;
  firstTimings: Record<string, number>;
  secondFrameMs: number;
  people: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** Whether the WebGL context offers KHR_parallel_shader_compile. */
  parallelCompile: boolean | null;
}

function programName(key: string): string {
  const backend = tf.backend() as unknown as { binaryCache?: Record<string, { program?: { constructor: { name: string } } }> };
  return backend.binaryCache?.[key]?.program?.constructor.name ?? key.slice(0, 40);
}

async function run(options: { backend: BackendPreference; warmUp?: boolean; primeRun?: boolean }): Promise<WarmUpRun> {
  await tf.ready();
  const tensorsBefore = tf.memory().numTensors;
  const phases: [LoadPhase, number][] = [];
  const start = performance.now();
  const detector = await createDetector({ model: 'centernet', backend: options.backend, warmUp: options.warmUp, scoreThreshold: 0.3, onPhase: (phase, fraction) => phases.push([phase, fraction]) });
  if (options.primeRun) {
    // For measurements only: a real zero frame instead of the compile-only warm-up.
    const zeros = tf.zeros([480, 640, 3], 'int32') as tf.Tensor3D;
    (await detector.detect(zeros)).dispose();
    zeros.dispose();
  }
  const loadMs = performance.now() - start;
  const atLoad = new Set(compiledProgramKeys());
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  document.body.append(video);
  await video.play();
  try {
    // WebGPU on SwiftShader loses its device when it imports a playing <video> here: give it a bitmap.
    const frame = async () => (detector.backend.backend === 'webgpu' ? createImageBitmap(video) : video);
    const t1 = performance.now();
    const first = await detector.detect(await frame());
    const firstFrameMs = performance.now() - t1;
    const afterFirst = compiledProgramKeys();
    const newInFirstFrame = afterFirst.filter((key) => !atLoad.has(key)).map(programName);
    const seen = new Set(afterFirst);
    const t2 = performance.now();
    const second = await detector.detect(await frame());
    const secondFrameMs = performance.now() - t2;
    const newInSecondFrame = compiledProgramKeys().filter((key) => !seen.has(key)).length;
    first.dispose();
    second.dispose();
    const gl = (tf.backend() as unknown as { gpgpu?: { parallelCompilationExtension?: unknown } }).gpgpu;
    return {
      backend: detector.backend.backend,
      warmUp: detector.warmUp,
      phases,
      programsAtLoad: atLoad.size,
      newInFirstFrame,
      newInSecondFrame,
      loadMs,
      firstFrameMs,
      firstTimings: { ...first.timings },
      secondFrameMs,
      people: first.detections.filter((d) => d.label === 'person').length,
      tensorsBefore,
      tensorsAfter: (detector.dispose(), tf.memory().numTensors),
      parallelCompile: gl ? gl.parallelCompilationExtension != null : null,
    };
  } finally {
    detector.dispose();
    for (const track of stream.getTracks()) track.stop();
  }
}

(window as unknown as { loupeWarmUp: { run: typeof run } }).loupeWarmUp = { run };
document.body.dataset.ready = 'true';
