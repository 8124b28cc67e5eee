// What crosses between the page and Loupe's Worker: typed errors keep their type, results lose only
// their GPU handles.
import { describe, expect, it } from 'vitest';
import { LoupeError, type LoupeErrorType } from '../errors.js';
import type { DetectionResult } from '../types.js';
import { errorFromWire, errorToWire, resultToWire } from './protocol.js';

const TYPES: LoupeErrorType[] = ['camera-denied', 'camera-unavailable', 'backend-failed', 'backend-lost', 'unknown-model', 'model-load-failed', 'model-mismatch', 'bad-input', 'bad-option', 'disposed'];

describe('worker protocol', () => {
  it('re-creates every LoupeError type with its message, through a structured clone', () => {
    for (const type of TYPES) {
      const wire = structuredClone(errorToWire(new LoupeError(type, `a ${type} failure`)));
      const error = errorFromWire(wire);
      expect(error).toBeInstanceOf(LoupeError);
      expect((error as LoupeError).type).toBe(type);
      expect(error.message).toBe(`a ${type} failure`);
    }
  });

  it('keeps other errors as plain Errors (no type is made up)', () => {
    const error = errorFromWire(structuredClone(errorToWire(new TypeError('boom'))));
    expect(error).not.toBeInstanceOf(LoupeError);
    expect(error.message).toBe('boom');
    expect(errorFromWire(errorToWire('text')).message).toBe('text');
  });

  it('sends a result as plain data: everything but maps and dispose, tracks included', () => {
    let disposed = 0;
    const result: DetectionResult = {
      detections: [{ x: 1, y: 2, width: 3, height: 4, score: 0.9, classId: 0, label: 'person', cell: { level: 0, stride: 4, x: 1, y: 1, anchor: 0, priorX: 4, priorY: 4 }, trackId: 7 }],
      timings: { preprocess: 1, infer: 2, decode: 3, total: 6 },
      backend: 'wasm',
      model: 'centernet',
      letterbox: { sourceWidth: 8, sourceHeight: 8, inputWidth: 512, inputHeight: 512, contentWidth: 512, contentHeight: 512, scaleX: 64, scaleY: 64, padX: 0, padY: 0 },
      levels: [{ stride: 4, width: 128, height: 128, anchors: 1, cellOrigin: 'corner' }],
      tracks: [],
      trackEvents: { started: [], ended: [] },
      maps: { dispose: () => disposed++ },
      dispose: () => disposed++,
    };
    const wire = structuredClone(resultToWire(result));
    expect(wire).not.toHaveProperty('maps');
    expect(wire).not.toHaveProperty('dispose');
    expect(wire.detections).toEqual(result.detections);
    expect(wire.tracks).toEqual([]);
    expect(disposed).toBe(0);
  });
});
