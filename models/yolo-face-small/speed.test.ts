// Speed of yolo-face-small (v1, and generation 2 with its stride-4 level: the architecture of
// fixtures/generation-2, whose cost does not depend on the weights' values) against the Tiny Face Detector
// on the WASM backend in Node, the networks alternated run by run at the same input sizes (only with
// LOUPE_SPEED=1: a measurement, not a test).
//
//   LOUPE_SPEED=1 npx vitest run models/yolo-face-small/speed.test.ts
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_MODEL_BASE_URL, fileFetch } from '../../test/node.js';
import { loadTinyFaceDetector } from '../yolo-face/network.js';
import { YOLO_FACE_SMALL_V2_STRIDES, loadYoloFaceSmall } from './network.js';
import { loadContext } from '../../src/runtime/load-graph.js';

const SIZES = (process.env.LOUPE_SPEED_SIZES ?? '416,640').split(',').map(Number);
const RUNS = Number(process.env.LOUPE_SPEED_RUNS ?? 15);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.skipIf(!process.env.LOUPE_SPEED)('yolo-face-small (v1, generation 2) vs yolo-face on WASM (Node)', () => {
  it('times both networks, alternated', async () => {
    setWasmPaths(fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
    expect(await tf.setBackend('wasm')).toBe(true);
    const url = (file: string) => new URL(file, NODE_MODEL_BASE_URL).href;
    const models = {
      'yolo-face': await loadTinyFaceDetector(loadContext(url('tiny_face_detector_model-weights_manifest.json'), fileFetch)),
      'yolo-face-small': await loadYoloFaceSmall(loadContext(url('yolo-face-small.json'), fileFetch)),
      'generation 2': await loadYoloFaceSmall(loadContext(new URL('./fixtures/generation-2/yolo-face-small.json', import.meta.url).href, fileFetch), YOLO_FACE_SMALL_V2_STRIDES),
    };
    const lines: string[] = [];
    for (const size of SIZES) {
      const input = tf.randomUniform([1, size, size, 3]);
      const times: Record<string, number[]> = Object.fromEntries(Object.keys(models).map((name) => [name, []]));
      for (let run = -2; run < RUNS; run++) {
        for (const [name, model] of Object.entries(models)) {
          const start = performance.now();
          const outputs = await model.execute(input);
          await Promise.all(outputs.map((t) => t.data()));
          if (run >= 0) times[name]!.push(performance.now() - start);
          tf.dispose(outputs);
        }
      }
      input.dispose();
      const [tiny, small, v2] = [median(times['yolo-face']!), median(times['yolo-face-small']!), median(times['generation 2']!)];
      lines.push(
        `${size}: yolo-face ${tiny.toFixed(0)} ms, yolo-face-small ${small.toFixed(0)} ms, generation 2 ${v2.toFixed(0)} ms (medians of ${RUNS}); ` +
          `v1/tiny ${(small / tiny).toFixed(2)}, generation 2/v1 ${(v2 / small).toFixed(2)}`,
      );
    }
    for (const model of Object.values(models)) model.dispose();
    console.log(`WASM (${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'}, ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threads' : 'one thread'}):\n${lines.join('\n')}`);
  });
});
