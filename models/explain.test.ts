// The explainer's trace on the real weights (tfjs CPU backend, the street frame): its last step's boxes
// are detect()'s, its cell values are the model's maps at that cell, and it leaves no tensor behind.
import { describe, expect, it } from 'vitest';
import { LoupeError } from './index.js';
import { mapCell, useExplainedFrame } from '../test/explain.js';

for (const model of ['centernet', 'nanodet'] as const) {
  describe(`explainFrame (${model}, Node CPU backend, real weights)`, () => {
    const run = useExplainedFrame({ detector: model, frame: 'models/centernet/fixtures/street-frame.jpg' });

    it("ends on exactly detect()'s boxes for the same frame", () => {
      expect(run.plain.detections.length).toBeGreaterThan(0);
      const last = run.explanation.steps.at(-1)!;
      expect(last.picture.kind).toBe('boxes');
      if (last.picture.kind !== 'boxes') return;
      expect(last.picture.detections).toEqual(run.plain.detections);
      expect(run.explanation.detections).toEqual(run.plain.detections);
      // The trace's final rows above the threshold are those boxes.
      const final = run.explanation.trace.final;
      expect(final[0]).toBeCloseTo(run.plain.detections[0]!.x, 4);
      expect(final[4]).toBe(run.plain.detections[0]!.score);
    });

    it('has a caption and a text alternative per step, with unique ids', () => {
      const ids = run.explanation.steps.map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids[0]).toBe('input');
      for (const step of run.explanation.steps) {
        expect(step.caption.length).toBeGreaterThan(40);
        expect(step.alt.length).toBeGreaterThan(10);
      }
      if (model === 'centernet') expect(ids).toEqual(['input', 'heatmap', 'class-map', 'peaks', 'top-k', 'regression', 'threshold', 'boxes']);
      else expect(ids).toEqual(['input', 'levels', 'candidates', 'nms', 'boxes']);
    });

    it("a cell's values are the model's maps at that cell, and a kept box's cell says so", async () => {
      const result = run.plain;
      {
        const target = result.detections[0]!;
        const { level, x, y } = target.cell;
        const cell = run.explanation.cell(level, x, y);
        const maps = result.maps!.levels![level]!;
        const scores = await mapCell(maps.scores.tensor, x, y);
        const regression = await mapCell(maps.regression!.tensor, x, y);
        expect(Array.from(cell.scores)).toEqual(scores);
        expect(Array.from(cell.regressionValues)).toEqual(regression);
        expect(cell.bestClass).toBe(target.classId);
        expect(cell.verdict).toMatch(/kept: box 1 of/);
        expect(cell.candidates[0]?.rank).toBe(0);
        expect(cell.regression?.kind).toBe(model === 'centernet' ? 'ltrb' : 'distribution');
        if (cell.regression?.kind === 'distribution') {
          expect(cell.regression.sides).toHaveLength(4);
          for (const side of cell.regression.sides) {
            expect(side.probabilities).toHaveLength(11);
            expect(side.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
          }
        }
      }
      expect(() => run.explanation.cell(0, -1, 0)).toThrow(LoupeError);
    });

    if (model === 'centernet') {
      it('the peak step splits the class map by the decoder’s own peak test, and top-K holds the decoder rows', () => {
        const peaks = run.explanation.steps.find((s) => s.id === 'peaks')!.picture;
        if (peaks.kind !== 'peaks') throw new Error('peaks step');
        expect(peaks.peaks.length).toBeGreaterThan(0);
        expect(peaks.suppressed.length).toBeGreaterThan(peaks.peaks.length);
        // A suppressed cell's verdict names its higher neighbour.
        const [suppressed] = peaks.suppressed;
        const cell = run.explanation.cell(0, suppressed! % peaks.width, Math.floor(suppressed! / peaks.width));
        if (cell.bestClass === peaks.classId) expect(cell.verdict).toMatch(/peak test/);
        const topK = run.explanation.steps.find((s) => s.id === 'top-k')!.picture;
        if (topK.kind !== 'candidates') throw new Error('top-k step');
        expect(topK.rows).toHaveLength(100);
        for (let i = 1; i < topK.rows.length; i++) expect(topK.rows[i]!.score).toBeLessThanOrEqual(topK.rows[i - 1]!.score);
      });
    } else {
      it('the NMS step links each suppressed candidate to a kept, higher-scored box of its class with IoU above 0.6', () => {
        const nms = run.explanation.steps.find((s) => s.id === 'nms')!.picture;
        if (nms.kind !== 'nms') throw new Error('nms step');
        const suppressed = nms.steps.filter((s) => s.suppressedBy);
        expect(suppressed.length).toBeGreaterThan(0);
        for (const step of suppressed) {
          expect(step.suppressedBy!.classId).toBe(step.row.classId);
          expect(step.suppressedBy!.rank).toBeLessThan(step.row.rank);
          expect(step.iou).toBeGreaterThan(0.6);
          expect(nms.steps.find((s) => s.row === step.suppressedBy)?.suppressedBy).toBeNull();
        }
        expect(nms.steps.filter((s) => !s.suppressedBy).length).toBe(run.explanation.trace.kept.length / 8);
      });
    }

    it('leaves no tensor behind', () => {
      expect(run.tensorsAfter).toBe(run.tensorsBefore);
    });
  });
}
