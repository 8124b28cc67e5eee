import { describe, expect, it } from 'vitest';
import { LoadStatus } from './load-status.js';

const report = { backend: 'wasm' as const, device: 'WebAssembly', skipped: [] };

describe('LoadStatus', () => {
  it('walks loading → compiling → warming → running from the children’s events', () => {
    const status = new LoadStatus();
    status.progress({ fraction: 0, phase: 'download' });
    expect(status.phase).toBe('loading');
    status.progress({ fraction: 0.5, phase: 'download' });
    expect(status.fraction).toBe(0.5);
    status.progress({ fraction: 1, phase: 'compile', compiled: 0.25 });
    expect([status.phase, status.compiled]).toEqual(['compiling', 0.25]);
    status.backend(report);
    expect([status.phase, status.report]).toEqual(['warming', report]);
    status.detections();
    expect(status.phase).toBe('running');
  });

  it('a failed load shows its failure; a new load clears it', () => {
    const status = new LoadStatus();
    status.error({ type: 'model-load-failed', message: '404' }, { from: 'detector', detectorReady: false, detectorFailed: true });
    expect([status.phase, status.failure?.message]).toEqual(['failed', '404']);
    status.progress({ fraction: 0, phase: 'download' });
    expect([status.phase, status.failure]).toEqual(['loading', null]);
  });

  it('a lost GPU or a refused backend is a notice (the detector goes on), cleared by the next frame', () => {
    const status = new LoadStatus();
    status.backend(report);
    status.error({ type: 'backend-failed', message: 'webgpu could not start' }, { from: 'detector', detectorReady: true, detectorFailed: false });
    expect([status.phase, status.notice?.type]).toEqual(['warming', 'backend-failed']);
    status.detections();
    status.error({ type: 'backend-lost', message: 'context lost' }, { from: 'detector', detectorReady: true, detectorFailed: false });
    expect([status.phase, status.notice?.type]).toEqual(['running', 'backend-lost']);
    status.detections();
    expect(status.notice).toBeNull();
  });

  it('frame errors after frames ran do not replace the picture with a card; bad options never do', () => {
    const status = new LoadStatus();
    status.detections();
    status.error({ type: 'bad-input', message: 'one bad frame' }, { from: 'detector', detectorReady: true, detectorFailed: false });
    status.error({ type: 'bad-option', message: 'score' }, { from: 'detector', detectorReady: true, detectorFailed: false });
    expect([status.phase, status.failure]).toEqual(['running', null]);
  });

  it('a camera failure hides the loading card (the camera shows its own way out) until a source is ready', () => {
    const status = new LoadStatus();
    status.error({ type: 'bad-option', message: 'facing' }, { from: 'camera' });
    expect(status.sourceFailed).toBe(false);
    status.error({ type: 'camera-denied' as 'bad-input', message: 'denied' }, { from: 'camera' });
    expect(status.sourceFailed).toBe(true);
    status.sourceReady();
    expect(status.sourceFailed).toBe(false);
  });
});
