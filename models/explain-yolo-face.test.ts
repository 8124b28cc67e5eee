// The explainer on the Tiny-YOLOv2 face detector (real weights, tfjs CPU backend, face-api's demo photo
// with 3 faces): its last step is detect()'s, a cell's 5 anchors decode (from the raw numbers, with the
// decoder's formulas) to the engine's own rows, and the NMS after the threshold is traced step by step.
import { describe, expect, it } from 'vitest';
import { explainFrame } from './index.js';
import { mapCell, useExplainedFrame } from '../test/explain.js';

const FACES = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

describe('explainFrame (yolo-face, Node CPU backend, real weights)', () => {
  const run = useExplainedFrame({ detector: 'yolo-face', frame: FACES, timeout: 300_000 });

  it("walks grid, objectness, anchors, threshold, responsible cells, NMS and ends on exactly detect()'s boxes", () => {
    expect(run.explanation.steps.map((s) => s.id)).toEqual(['input', 'grid', 'objectness', 'anchors', 'threshold', 'responsible', 'nms', 'boxes']);
    for (const step of run.explanation.steps) {
      expect(step.caption.length).toBeGreaterThan(40);
      expect(step.alt.length).toBeGreaterThan(10);
    }
    expect(run.plain.detections).toHaveLength(3);
    const last = run.explanation.steps.at(-1)!.picture;
    if (last.kind !== 'boxes') throw new Error('boxes step');
    expect(last.detections).toEqual(run.plain.detections);
    expect(run.explanation.levels[0]).toMatchObject({ stride: 32, width: 13, height: 13, anchors: 5 });
    expect(run.explanation.steps[0]!.caption).toContain('top-left');
    const objectness = run.explanation.steps.find((s) => s.id === 'objectness')!.picture;
    if (objectness.kind !== 'levels') throw new Error('objectness step');
    expect(objectness.maps).toHaveLength(5);
  });

  it("a detection's cell: its anchor decodes from the 25 raw numbers to the engine's row, which maps to the detection", async () => {
    const maps = run.plain.maps!.levels![0]!;
    const { letterbox } = run.explanation;
    for (const [index, detection] of run.plain.detections.entries()) {
      const { level, x, y, anchor } = detection.cell;
      const cell = run.explanation.cell(level, x, y);
      expect(cell.anchors).toHaveLength(5);
      expect(cell.bestAnchor).toBe(anchor);
      expect(cell.verdict).toContain(`kept: box ${index + 1} of 3`);
      // The engine's maps at this cell: best objectness [1], (σ(tx), σ(ty), tw, th) × 5 [20].
      const scores = await mapCell(maps.scores.tensor, x, y);
      const regression = await mapCell(maps.regression!.tensor, x, y);
      expect(cell.scores).toHaveLength(1);
      expect(cell.scores[0]).toBeCloseTo(scores[0]!, 6);
      expect(cell.regressionValues).toHaveLength(20);
      cell.regressionValues.forEach((v, i) => expect(v).toBeCloseTo(regression[i]!, 5));
      const reading = cell.anchors![anchor]!;
      expect(reading.classScore).toBe(1);
      expect(reading.score).toBeCloseTo(detection.score, 6);
      const row = reading.candidate!;
      expect(row.anchor).toBe(anchor);
      // Decoded here from tx, ty, tw, th with the anchor's size = the decoder's row (float32 on the backend).
      expect(reading.box.x1).toBeCloseTo(row.x1, 3);
      expect(reading.box.y1).toBeCloseTo(row.y1, 3);
      expect(reading.box.x2).toBeCloseTo(row.x2, 3);
      expect(reading.box.y2).toBeCloseTo(row.y2, 3);
      expect(reading.anchorWidth).toBeCloseTo([1.603231, 6.041143, 2.882459, 4.266906, 9.041765][anchor]! * 32, 4);
      // … and through face-api's letterbox (scale only, top-left) that row is the detection.
      expect(row.x1 / letterbox.scaleX).toBeCloseTo(detection.x, 3);
      expect(row.y1 / letterbox.scaleY).toBeCloseTo(detection.y, 3);
      expect((row.x2 - row.x1) / letterbox.scaleX).toBeCloseTo(detection.width, 3);
      // The responsible cell: the box centre lies in it.
      expect(Math.floor((row.x1 + row.x2) / 2 / 32)).toBe(x);
      expect(Math.floor((row.y1 + row.y2) / 2 / 32)).toBe(y);
    }
  });

  it('traces the NMS after the threshold step by step, in frame pixels, keeping exactly the detections', () => {
    const nms = run.explanation.trace.nms!;
    expect(nms.space).toBe('frame');
    expect(nms.iouThreshold).toBe(0.4);
    const passing = run.explanation.steps.find((s) => s.id === 'threshold')!.picture;
    if (passing.kind !== 'candidates') throw new Error('threshold step');
    const above = passing.rows.filter((r) => r.score >= 0.5);
    expect(nms.steps.map((s) => s.candidate)).toEqual(above.map((r) => r.rank));
    const kept = nms.steps.filter((s) => s.suppressedBy === null);
    expect(kept).toHaveLength(run.plain.detections.length);
    kept.forEach((step, i) => {
      const row = run.explanation.trace.final.subarray(step.candidate * 8, step.candidate * 8 + 8);
      expect([row[0], row[1], row[4]]).toEqual([run.plain.detections[i]!.x, run.plain.detections[i]!.y, run.plain.detections[i]!.score]);
    });
    for (const step of nms.steps.filter((s) => s.suppressedBy !== null)) {
      expect(step.suppressedBy!).toBeLessThan(step.candidate);
      expect(kept.some((k) => k.candidate === step.suppressedBy)).toBe(true);
      expect(step.iou).toBeGreaterThan(0.4);
    }
    console.log(`yolo-face NMS: ${nms.steps.length} above the threshold, ${kept.length} kept, ${nms.steps.length - kept.length} suppressed`);
  });

  it('at score threshold 0.02 the NMS suppresses boxes, each by a kept, better box with IoU > 0.4, and still ends on detect()', async () => {
    run.detector.setOptions({ scoreThreshold: 0.02 });
    try {
      const low = await explainFrame(run.detector, run.frame);
      const lowPlain = await run.detector.detect(run.frame);
      expect(low.detections).toEqual(lowPlain.detections);
      const nms = low.steps.find((s) => s.id === 'nms')!.picture;
      if (nms.kind !== 'nms') throw new Error('nms step');
      const suppressed = nms.steps.filter((s) => s.suppressedBy);
      expect(suppressed.length).toBeGreaterThan(0);
      for (const step of suppressed) {
        expect(step.suppressedBy!.rank).toBeLessThan(step.row.rank);
        expect(step.iou).toBeGreaterThan(0.4);
        expect(nms.steps.find((s) => s.row === step.suppressedBy)?.suppressedBy).toBeNull();
      }
      expect(nms.steps.length - suppressed.length).toBe(lowPlain.detections.length);
      // A suppressed candidate's cell says which box suppressed it (when it is its cell's best anchor).
      const example = suppressed.find((s) => low.cell(0, s.row.cellX, s.row.cellY).bestAnchor === s.row.anchor);
      if (example) expect(low.cell(0, example.row.cellX, example.row.cellY).verdict).toMatch(/suppressed by #\d+ .*IoU/);
      console.log(`yolo-face NMS at 0.02: ${nms.steps.length} above the threshold, ${lowPlain.detections.length} kept, ${suppressed.length} suppressed`);
    } finally {
      run.detector.setOptions({ scoreThreshold: 0.5 });
    }
  }, 300_000);

  it('leaves no tensor behind', () => {
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
  });
});

describe('explainFrame (yolo-face-small, anchor-free DFL head, Node CPU backend, real weights)', () => {
  const run = useExplainedFrame({ detector: 'yolo-face-small', frame: FACES, timeout: 300_000 });

  it("levels, DFL distances, the model's NMS box by box, and exactly detect()'s boxes; a kept box's cell holds the engine's score and its edges", async () => {
    expect(run.explanation.steps.map((s) => s.id)).toEqual(['input', 'levels', 'distances', 'nms', 'boxes']);
    expect(run.plain.detections.length).toBeGreaterThan(0);
    expect(run.explanation.detections).toEqual(run.plain.detections);
    expect(run.explanation.trace.nms).toMatchObject({ space: 'input', iouThreshold: 0.5 });
    const target = run.plain.detections[0]!;
    const { level, x, y } = target.cell;
    const cell = run.explanation.cell(level, x, y);
    const scores = await mapCell(run.plain.maps!.levels![level]!.scores.tensor, x, y);
    expect(Array.from(cell.scores)).toEqual(scores);
    expect(cell.verdict).toMatch(/kept: box 1 of/);
    const row = cell.candidates[0]!;
    expect(cell.regression?.kind).toBe('ltrb');
    if (cell.regression?.kind !== 'ltrb') return;
    const [left, top, right, bottom] = cell.regression.sides.map((side) => side.px) as [number, number, number, number];
    expect(row.pointX - left).toBeCloseTo(row.x1, 3);
    expect(row.pointY - top).toBeCloseTo(row.y1, 3);
    expect(row.pointX + right).toBeCloseTo(row.x2, 3);
    expect(row.pointY + bottom).toBeCloseTo(row.y2, 3);
  });
});
