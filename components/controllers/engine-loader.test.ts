// The load phase of <loupe-detector>, in Node with the real createDetector on the tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createDetector, loadedModels, type LoupeErrorType } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch } from '../../test/node.js';
import type { ProgressDetail } from '../events.js';
import { EngineLoader, withRefused } from './engine-loader.js';

function recorder() {
  const progress: ProgressDetail[] = [];
  const errors: { type: LoupeErrorType; message: string }[] = [];
  const loader = new EngineLoader(createDetector, { progress: (detail) => progress.push(detail), error: (type, message) => errors.push({ type, message }) });
  return { loader, progress, errors };
}

const request = { model: 'yolo-face', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch } as const;

describe('EngineLoader', () => {
  it('loads an engine with download progress from 0 to 1 and no error', async () => {
    const { loader, progress, errors } = recorder();
    const generation = loader.begin();
    const { outcome, retry } = await loader.load(generation, { ...request, backend: 'cpu' });
    expect(retry).toBe(false);
    expect(errors).toEqual([]);
    expect(outcome?.engine.backend.backend).toBe('cpu');
    expect(outcome?.refused).toBeUndefined();
    expect(progress[0]).toEqual({ fraction: 0, phase: 'download' });
    expect(progress.at(-1)).toEqual({ fraction: 1, phase: 'download' });
    outcome?.engine.dispose();
  });

  it('falls back to auto when the requested backend cannot start, and lists it first in the report', async () => {
    const { loader, errors } = recorder();
    // Node has no WebGL: the explicit request is refused, auto carries on.
    const { outcome } = await loader.load(loader.begin(), { ...request, backend: 'webgl' });
    expect(errors).toEqual([]);
    expect(outcome?.refused?.backend).toBe('webgl');
    expect(outcome?.report.skipped[0]?.backend).toBe('webgl');
    expect(outcome?.report.skipped[0]?.reason).toMatch(/^requested, but /);
    expect(outcome?.engine.backend.backend).not.toBe('webgl');
    outcome?.engine.dispose();
    await tf.setBackend('cpu');
  });

  it('reports a failed load once, typed, and resolves null', async () => {
    const { loader, errors } = recorder();
    const { outcome, retry } = await loader.load(loader.begin(), { ...request, backend: 'cpu', modelBaseUrl: `${NODE_MODEL_BASE_URL}missing/` });
    expect(outcome).toBeNull();
    expect(retry).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.type).toBe('model-load-failed');
  });

  it('drops (and disposes) an engine whose load was overtaken, without an error', async () => {
    const { loader, errors } = recorder();
    const before = tf.memory().numTensors;
    const stale = loader.begin();
    const pending = loader.load(stale, { ...request, backend: 'cpu' });
    loader.invalidate(); // a newer load or a disconnect
    const { outcome } = await pending;
    expect(outcome).toBeNull();
    expect(errors).toEqual([]);
    expect(loader.isCurrent(stale)).toBe(false);
    // The stale load was aborted: its weights were released and its cache entry is gone.
    expect(tf.memory().numTensors).toBe(before);
    expect(loadedModels()).toEqual([]);
  });

  it('withRefused puts the refused backend first, with auto’s own reason when it had one', () => {
    const report = { backend: 'wasm' as const, device: 'x', skipped: [{ backend: 'webgl' as const, reason: 'software renderer' }] };
    expect(withRefused(report, { backend: 'webgl', reason: 'long text' }).skipped).toEqual([{ backend: 'webgl', reason: 'requested, but software renderer' }]);
    expect(withRefused({ ...report, skipped: [] }, { backend: 'webgpu', reason: 'no adapter' }).skipped).toEqual([{ backend: 'webgpu', reason: 'requested, but no adapter' }]);
  });
});
