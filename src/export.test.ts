import { describe, expect, it } from 'vitest';
import { detectionsToCoco, detectionsToJson } from './export.js';
import type { DetectionSummary } from './types.js';

const cell = { level: 0, stride: 4, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 };
const summary: DetectionSummary = {
  detections: [
    { x: 10.123, y: 20, width: 30, height: 60.5555, score: 0.91234, classId: 0, label: 'person', cell },
    { x: 100, y: 50, width: 40, height: 20, score: 0.5, classId: 79, label: 'toothbrush', cell },
  ],
  timings: { preprocess: 1, infer: 2, decode: 3, total: 6 },
  backend: 'wasm',
  model: 'centernet',
  letterbox: { sourceWidth: 768, sourceHeight: 576, inputWidth: 512, inputHeight: 512, contentWidth: 512, contentHeight: 384, scaleX: 2 / 3, scaleY: 2 / 3, padX: 0, padY: 64 },
  levels: [],
};

describe('detection export', () => {
  it('JSON: boxes in source pixels with labels, model, backend and frame size', () => {
    const out = detectionsToJson(summary, new Date('2026-01-02T03:04:05Z'));
    expect(out).toEqual({
      model: 'centernet',
      backend: 'wasm',
      width: 768,
      height: 576,
      createdAt: '2026-01-02T03:04:05.000Z',
      detections: [
        { label: 'person', classId: 0, score: 0.9123, x: 10.12, y: 20, width: 30, height: 60.56 },
        { label: 'toothbrush', classId: 79, score: 0.5, x: 100, y: 50, width: 40, height: 20 },
      ],
    });
  });

  it("COCO results: COCO's category ids for COCO-80 labels, classId + 1 otherwise", () => {
    expect(detectionsToCoco(summary, { imageId: 42 })).toEqual([
      { image_id: 42, category_id: 1, bbox: [10.12, 20, 30, 60.56], score: 0.9123 },
      { image_id: 42, category_id: 90, bbox: [100, 50, 40, 20], score: 0.5 },
    ]);
    const face = { ...summary, detections: [{ ...summary.detections[0]!, label: 'face' }] };
    expect(detectionsToCoco(face)[0]).toMatchObject({ image_id: 0, category_id: 1 });
    expect(detectionsToCoco(face, { categoryIds: [7] })[0]).toMatchObject({ category_id: 7 });
  });
});
