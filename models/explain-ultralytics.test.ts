// The explainer on a user's Ultralytics export (`ultralytics:<url>`): the tiny, genuine TF.js graph model
// of the tests (models/ultralytics/tiny-graph.ts, three colour classes, layout A [1, 7, N] and A'
// [1, N, 7]) on the CPU backend. Its steps are yolo-face-small's (one reader, one set of steps) plus the
// class maps; it ends on detect()'s boxes; a cell holds the engine's scores and the box's four distances.
// Then the pyramid step on a frame whose small red square only the image pyramid finds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, explainResult, LoupeError, type DetectionResult } from './index.js';
import { mapCell, useExplainedFrame } from '../test/explain.js';
import { fileFetch } from '../test/node.js';
import { COLOUR_GAINS, COLOUR_MODEL, COLOUR_NAMES, frameWithRedSquare, writeTinyModel } from '../test/ultralytics.js';
import type { TinyGraphOptions } from './ultralytics/tiny-graph.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'loupe-explain-ultralytics-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const tinyDetector = (name: string, options: TinyGraphOptions) => async () =>
  createDetector({ model: `ultralytics:${await writeTinyModel(root, name, options, COLOUR_NAMES)}`, fetch: fileFetch, backend: 'cpu' });

// A 128 × 96 frame: r = 0.5, content 64 × 48, top border 8. The red square covers the stride-16 cell (1, 1)
// of the input (models/ultralytics/load.test.ts), whose constant box is 32 × 32 around (24, 24).
const redFrame = () => frameWithRedSquare(128, 96, { x: 32, y: 16, w: 32, h: 32 });

for (const transposed of [false, true]) {
  describe(`explainFrame (Ultralytics export, layout ${transposed ? "A' [1, N, 4+nc]" : 'A [1, 4+nc, N]'}, tiny graph model, CPU)`, () => {
    const run = useExplainedFrame({ detector: tinyDetector(transposed ? 'transposed' : 'channels-first', { ...COLOUR_MODEL, transposed }), frame: redFrame, timeout: 120_000 });

    it("walks the grid per stride, the class maps, the DFL distances, the model's NMS and ends on detect()'s boxes", () => {
      const { explanation, plain } = run;
      expect(explanation.model).toMatch(/^ultralytics:file:/);
      expect(explanation.steps.map((s) => s.id)).toEqual(['input', 'levels', 'classes', 'distances', 'nms', 'boxes']);
      for (const step of explanation.steps) {
        expect(step.caption.length).toBeGreaterThan(40);
        expect(step.alt.length).toBeGreaterThan(10);
      }
      expect(explanation.levels.map((l) => [l.stride, l.width, l.height])).toEqual([[8, 8, 8], [16, 4, 4], [32, 2, 2]]);
      expect(plain.detections).toHaveLength(1);
      expect(plain.detections[0]).toMatchObject({ label: 'red thing', cell: { level: 1, x: 1, y: 1 } });
      const last = explanation.steps.at(-1)!.picture;
      if (last.kind !== 'boxes') throw new Error('boxes step');
      expect(last.detections).toEqual(plain.detections);
      expect(explanation.trace.nms).toMatchObject({ space: 'input', iouThreshold: 0.7 });
      const classes = explanation.steps.find((s) => s.id === 'classes')!;
      if (classes.picture.kind !== 'levels') throw new Error('classes step');
      expect(classes.picture.maps.map((m) => m.label)).toEqual(['stride 8: p(red thing)', 'stride 16: p(red thing)', 'stride 32: p(red thing)']);
      expect(classes.caption).toContain('3 class probabilities');
      expect(explanation.pyramid).toBeNull();
    });

    it("the detection's cell holds the engine's 3 class scores and the four distances to its box's edges", async () => {
      const { explanation, plain } = run;
      const target = plain.detections[0]!;
      const cell = explanation.cell(target.cell.level, target.cell.x, target.cell.y);
      const scores = await mapCell(plain.maps!.levels![1]!.scores.tensor, 1, 1);
      expect(Array.from(cell.scores)).toEqual(scores);
      expect(cell.bestClass).toBe(0);
      expect(cell.verdict).toMatch(/kept: box 1 of 1/);
      expect([cell.pointX, cell.pointY]).toEqual([24, 24]);
      // The tiny head's box is 2s × 2s around the cell's centre: 16 px to every edge at stride 16.
      expect(cell.regression?.kind).toBe('ltrb');
      if (cell.regression?.kind !== 'ltrb') return;
      for (const side of cell.regression.sides) expect(side.px).toBeCloseTo(16, 4);
      const row = cell.candidates[0]!;
      expect([row.x1, row.y1, row.x2, row.y2]).toEqual([8, 8, 40, 40].map((v) => expect.closeTo(v, 4)));
      // A cell without a candidate says so.
      expect(explanation.cell(0, 7, 7).verdict).toMatch(/^'red thing' \(0\.00\) is candidate #\d+ of 84, but below the score threshold 0\.25: dropped\.$/);
    });

    it('leaves no tensor behind', () => {
      expect(run.tensorsAfter).toBe(run.tensorsBefore);
    });
  });
}

describe('explainFrame with smallObjects: image pyramid vs feature pyramid (tiny graph model, CPU)', () => {
  // No level bias: a cell fires for red ('red thing') when most of it is red. A 256 × 256 frame seen at
  // 64 × 64 makes the 24-px red square 6 × 6 input px, at most 56 % of a stride-8 cell: σ(−2.5) = 0.08,
  // below 0.25. At scale 3 (gain 0.75) it is 18 px, which covers a whole cell: σ(1) × 0.8 = 0.58.
  const options: TinyGraphOptions = { colourGains: COLOUR_GAINS, baseLogit: -7 };
  const run = useExplainedFrame({
    detector: tinyDetector('pyramid', options),
    frame: () => frameWithRedSquare(256, 256, { x: 100, y: 100, w: 24, h: 24 }),
    options: { smallObjects: { scales: [3] } },
    timeout: 120_000,
  });
  let tiled: DetectionResult;
  beforeAll(async () => {
    tiled = await run.detector.detect(run.frame, { smallObjects: { scales: [3] } });
  }, 120_000);

  it('adds a last step: the single pass misses the small square, the image pyramid finds it, tagged with its scale and level', () => {
    const { explanation, plain } = run;
    const ids = explanation.steps.map((s) => s.id);
    expect(ids.at(-1)).toBe('pyramid');
    expect(ids.at(-2)).toBe('boxes');
    const comparison = explanation.pyramid!;
    expect(comparison.smallArea).toBe(1024);
    // The feature-pyramid path is detect()'s single pass; the image pyramid's is small-object mode's.
    expect(comparison.fpn.detections).toEqual(plain.detections);
    expect(comparison.fpn.detections).toHaveLength(0);
    expect(comparison.fpn).toMatchObject({ executions: 1, small: 0, only: 0 });
    expect(comparison.pyramid.detections).toEqual(tiled.detections);
    expect(comparison.pyramid.executions).toBe(tiled.executions);
    expect(comparison.pyramid.executions).toBe(1 + comparison.tiles.filter((t) => t.index > 0 && t.executed).length);
    expect(comparison.pyramid.small).toBeGreaterThanOrEqual(1);
    expect(comparison.pyramid.only).toBe(comparison.pyramid.detections.length);
    for (const d of comparison.pyramid.detections) {
      expect(d.label).toBe('red thing');
      expect(d.tile?.scale).toBe(3);
      // The square's centre (112, 112) lies in the box.
      expect(d.x).toBeLessThan(112);
      expect(d.x + d.width).toBeGreaterThan(112);
    }
    const small = comparison.pyramid.detections.filter((d) => d.width * d.height < 1024);
    expect(small.every((d) => d.cell.stride === 8)).toBe(true);
    expect(comparison.fpn.ms).toBeGreaterThan(0);
    expect(comparison.pyramid.ms).toBeGreaterThan(0);
    const step = explanation.steps.at(-1)!;
    expect(step.caption).toContain('only the image pyramid found');
    expect(step.caption).toMatch(/×3 stride 8/);
    expect(step.alt).toMatch(/small/);
    if (step.picture.kind !== 'pyramid') throw new Error('pyramid step');
    expect(step.picture.tiles).toBe(comparison.tiles);
  });

  it('leaves no tensor behind', () => {
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
  });
});

it('an Ultralytics export without a grid of cells (NMS rows) is a bad-option, saying why', () => {
  const result = {
    model: 'ultralytics:/m/model.json',
    levels: [],
    detections: [],
    letterbox: { sourceWidth: 64, sourceHeight: 64, inputWidth: 64, inputHeight: 64, contentWidth: 64, contentHeight: 64, scaleX: 1, scaleY: 1, padX: 0, padY: 0 },
    trace: { outputs: [{ name: 'Identity:0', shape: [1, 300, 6], values: new Float32Array(1800) }], candidates: new Float32Array(0), nms: null, kept: new Float32Array(0), final: new Float32Array(0), scoreThreshold: 0.25, maxDetections: 300 },
  } as unknown as DetectionResult;
  expect(() => explainResult(result, ['a'])).toThrow(LoupeError);
  expect(() => explainResult(result, ['a'])).toThrow(/output \[1, 300, 6\] is not a grid of cells/);
});
