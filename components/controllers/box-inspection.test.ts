// The overlay's box inspection on real tensors (tfjs CPU backend) with the real offsets layer and a
// NanoDet-style regression spec (4 × 11 GFL bins): hover shows and ends, a click pins, a pin follows its
// object, survives frames that miss it and picks it up again, a second click unpins; nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownMap } from '../../src/maps.js';
import type { Detection, LetterboxTransform, MapHandle } from '../../src/types.js';
import type { ModelFacts, OverlayFrame } from '../layers/layer.js';
import { offsetsLayer } from '../layers/offsets.js';
import { BoxInspection } from './box-inspection.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BINS = 11;
const FACTS: ModelFacts = { labels: ['person'], regression: { kind: 'distribution', bins: BINS } };
const LETTERBOX: LetterboxTransform = {
  sourceWidth: 64, sourceHeight: 64, inputWidth: 64, inputHeight: 64, contentWidth: 64, contentHeight: 64, scaleX: 1, scaleY: 1, padX: 0, padY: 0,
};

function person(x: number, y: number, cellX: number, cellY: number): Detection {
  return { x, y, width: 16, height: 32, score: 0.8, classId: 0, label: 'person', cell: { level: 0, stride: 8, x: cellX, y: cellY, anchor: 0, priorX: x + 8, priorY: y + 16 } };
}

/** An 8 × 8 regression map whose cell (x, y) holds logits peaking at bin (x + y) % 11 on every side. */
function regressionMap(): MapHandle<tf.Rank.R3> {
  const values = new Float32Array(8 * 8 * 4 * BINS);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) for (let side = 0; side < 4; side++) values[((y * 8 + x) * 4 + side) * BINS + ((x + y) % BINS)] = 10;
  return ownMap(tf.tensor3d(values, [8, 8, 4 * BINS]), 8, 'centre');
}

function setup() {
  let frame: OverlayFrame | null = null;
  let updates = 0;
  const inspection = new BoxInspection({
    currentFrame: () => frame,
    inspectingLayer: () => offsetsLayer,
    modelFacts: () => FACTS,
    requestUpdate: () => updates++,
    reportError: (error) => {
      throw error;
    },
  });
  const show = (detections: Detection[]): OverlayFrame => {
    for (const handle of frame?.regression ?? []) handle?.dispose();
    frame = { detections, letterbox: LETTERBOX, levels: [], model: 'nanodet', regression: [regressionMap()] };
    inspection.followInto(frame);
    return frame;
  };
  const release = () => {
    for (const handle of frame?.regression ?? []) handle?.dispose();
  };
  return { inspection, show, release, updates: () => updates };
}

/** Lets the one small read of the map resolve. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('BoxInspection', () => {
  it('hover reads the cell as the model declares it, and ends when the pointer leaves', async () => {
    const before = tf.memory().numTensors;
    const { inspection, show, release, updates } = setup();
    const walker = person(16, 8, 3, 2);
    show([walker]);
    inspection.boxHandlers.enter(walker);
    expect(inspection.value).toMatchObject({ detection: walker, values: null, pinned: false });
    await settle();
    const reading = inspection.value?.reading as { kind: string; sides: { cells: number }[] };
    expect(reading.kind).toBe('distribution');
    expect(reading.sides.map((s) => Math.round(s.cells))).toEqual([5, 5, 5, 5]); // (3 + 2) % 11
    inspection.boxHandlers.leave(walker);
    expect(inspection.value).toBeNull();
    expect(updates()).toBeGreaterThanOrEqual(3);
    release();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a pin follows its object, holds through a frame that misses it, picks it up again; a second click unpins', async () => {
    const before = tf.memory().numTensors;
    const { inspection, show, release } = setup();
    const walker = person(16, 8, 3, 2);
    show([walker]);
    inspection.boxHandlers.click(walker);
    await settle();
    expect(inspection.value?.pinned).toBe(true);

    // Next frame: the same person two pixels on (a new Detection object, another cell).
    const moved = person(18, 8, 4, 2);
    show([person(48, 40, 6, 5), moved]);
    await settle();
    expect(inspection.value).toMatchObject({ detection: moved, pinned: true });
    expect(inspection.value?.missing).toBeUndefined();
    expect((inspection.value?.reading as { sides: { cells: number }[] }).sides[0]!.cells).toBeCloseTo(6, 3); // (4 + 2) % 11

    // A frame without them (the score dipped under the threshold): the last reading stays, marked.
    show([person(48, 40, 6, 5)]);
    expect(inspection.value).toMatchObject({ detection: moved, pinned: true, missing: true });
    expect(inspection.value?.values).not.toBeNull();

    // Seen again: followed from the last place it was.
    const back = person(20, 9, 4, 2);
    show([back]);
    await settle();
    expect(inspection.value).toMatchObject({ detection: back, pinned: true });
    expect(inspection.value?.missing).toBeUndefined();

    inspection.boxHandlers.leave(back); // a pin outlives the pointer
    expect(inspection.value?.detection).toBe(back);
    inspection.boxHandlers.click(back);
    expect(inspection.value).toBeNull();
    release();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a hover is not carried into a frame without its object, nor past a cleared picture', async () => {
    const { inspection, show, release } = setup();
    const walker = person(16, 8, 3, 2);
    show([walker]);
    inspection.boxHandlers.enter(walker);
    await settle();
    show([person(48, 40, 6, 5)]);
    expect(inspection.value).toBeNull();
    inspection.boxHandlers.click(walker);
    inspection.followInto(null); // a new source or model: what was shown is gone
    expect(inspection.value).toBeNull();
    release();
  });
});
