import { describe, expect, it } from 'vitest';
import { CAMERA_ATTRIBUTES, DETECTOR_ATTRIBUTES, FORWARDED_ATTRIBUTES, OVERLAY_ATTRIBUTES, forward, optionalNumber, propertiesOf, readBack } from './attributes.js';

describe('attribute → option mapping', () => {
  it('optional numbers: removed → undefined (the default), empty or text → NaN (refused), else the number', () => {
    expect(optionalNumber.fromAttribute!(null)).toBeUndefined();
    expect(optionalNumber.fromAttribute!('')).toBeNaN();
    expect(optionalNumber.fromAttribute!('  ')).toBeNaN();
    expect(optionalNumber.fromAttribute!('abc')).toBeNaN();
    expect(optionalNumber.fromAttribute!(' 0.45 ')).toBe(0.45);
    expect(optionalNumber.fromAttribute!('0')).toBe(0);
    expect(optionalNumber.toAttribute!(undefined)).toBeNull();
    expect(optionalNumber.toAttribute!(0.3)).toBe('0.3');
  });

  it('one table: every forwarded property once, each with its child', () => {
    const names = FORWARDED_ATTRIBUTES.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    expect(FORWARDED_ATTRIBUTES).toHaveLength(DETECTOR_ATTRIBUTES.length + CAMERA_ATTRIBUTES.length + OVERLAY_ATTRIBUTES.length);
    expect(propertiesOf(DETECTOR_ATTRIBUTES).scoreThreshold).toMatchObject({ attribute: 'score-threshold', converter: optionalNumber });
    expect(propertiesOf(OVERLAY_ATTRIBUTES, ['layers']).layers).toMatchObject({ reflect: true });
    expect(propertiesOf(OVERLAY_ATTRIBUTES).layers?.reflect).toBeUndefined();
  });

  it('forward() copies what changed to its child only; readBack() copies a refusal back', () => {
    const host: Record<string, unknown> = { model: 'nanodet', scoreThreshold: 0.5, layers: 'boxes heatmap', src: 'clip.webm' };
    const detector: Record<string, unknown> = { model: 'centernet', scoreThreshold: 0.3 };
    forward(host, detector, 'detector', new Map([['scoreThreshold', 0.3]]));
    expect(detector).toEqual({ model: 'centernet', scoreThreshold: 0.5 });
    forward(host, detector, 'detector', null);
    expect(detector.model).toBe('nanodet');
    expect(detector.layers).toBeUndefined(); // the overlay's, not the detector's
    detector.scoreThreshold = 0.4; // the detector refused a value and kept 0.4
    readBack(host, detector, 'detector');
    expect(host.scoreThreshold).toBe(0.4);
    expect(host.layers).toBe('boxes heatmap');
  });
});
