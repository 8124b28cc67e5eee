// Tracks as MOTChallenge text and as JSON, from the frames of a pass; the MOT text reads back with the
// evaluator's parser (eval/mot.test.ts covers the parser itself).
import { describe, expect, it } from 'vitest';
import type { Detection } from '../types.js';
import { motBoxesOf, tracksToJson, tracksToMot, type TrackedFrameRecord } from './export.js';

const cell = { level: 0, stride: 4, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 };
const d = (x: number, trackId: number | undefined, classId = 0): Detection => ({
  x, y: 20.123, width: 30, height: 60.5, score: 0.87654, classId, label: classId === 0 ? 'person' : 'car', cell, ...(trackId === undefined ? {} : { trackId }),
});

const frames: TrackedFrameRecord[] = [
  { frame: 1, time: 0, detections: [d(100, 3), d(10, undefined), d(50, 1)] },
  { frame: 2, time: 100, detections: [d(105, 3), d(300, 4, 2)] },
];

describe('tracks export', () => {
  it('writes MOTChallenge rows of the boxes with a trackId, by frame then id, 1-based frames', () => {
    expect(tracksToMot(frames)).toBe(
      '1,1,50,20.12,30,60.5,0.88,-1,-1,-1\n1,3,100,20.12,30,60.5,0.88,-1,-1,-1\n2,3,105,20.12,30,60.5,0.88,-1,-1,-1\n2,4,300,20.12,30,60.5,0.88,-1,-1,-1\n',
    );
    expect(motBoxesOf(frames)).toHaveLength(4);
    expect(tracksToMot([])).toBe('');
  });

  it('writes JSON per track: class, and its boxes frame by frame with their times', () => {
    const json = tracksToJson(frames, { model: 'centernet', width: 768, height: 576 }, new Date('2026-12-03T12:00:00Z'));
    expect(json).toMatchObject({ model: 'centernet', width: 768, height: 576, frames: 2, createdAt: '2026-12-03T12:00:00.000Z' });
    expect(json.tracks.map((t) => [t.id, t.label, t.boxes.map((b) => b.frame)])).toEqual([
      [1, 'person', [1]],
      [3, 'person', [1, 2]],
      [4, 'car', [2]],
    ]);
    expect(json.tracks[1]!.boxes[1]).toEqual({ frame: 2, time: 100, x: 105, y: 20.12, width: 30, height: 60.5, score: 0.8765 });
  });
});
