/**
 * Entry of Loupe's dedicated module Worker (worker mode, `DetectorOptions.worker`): the real engine with
 * the model registry, answering the page's messages (src/worker/serve.ts). Started by `createDetector`
 * (models/index.ts) as `new Worker(new URL('./worker-entry.ts', import.meta.url), { type: 'module' })`.
 */
import { serveDetectors, type WorkerScope } from '../src/worker/serve.js';
import { createDetector } from './index.js';

serveDetectors(globalThis as unknown as WorkerScope, createDetector);
