import { describe, expect, it } from 'vitest';
import {
  boxIou, evaluateCoco, IOU_THRESHOLDS, RECALL_POINTS,
  type CocoAnnotation, type CocoBox, type CocoDataset, type CocoDetection,
} from './coco-eval.js';

// Hand-made cases. Expected values follow from the 101-point rule: a category whose precision envelope is
// p over recall (a, b] contributes p for every recall point in that interval.

let nextId = 1;
function truth(imageId: number, bbox: CocoBox, options: { category?: number; area?: number; crowd?: boolean } = {}): CocoAnnotation {
  return {
    id: nextId++,
    image_id: imageId,
    category_id: options.category ?? 1,
    bbox,
    area: options.area ?? bbox[2] * bbox[3],
    iscrowd: options.crowd ? 1 : 0,
  };
}

function found(imageId: number, bbox: CocoBox, score: number, category = 1): CocoDetection {
  return { image_id: imageId, category_id: category, bbox, score };
}

function dataset(annotations: CocoAnnotation[], imageIds = [1], categoryIds = [1]): CocoDataset {
  return {
    images: imageIds.map((id) => ({ id, file_name: `${id}.jpg` })),
    annotations,
    categories: categoryIds.map((id) => ({ id, name: `class ${id}` })),
  };
}

const metrics = (data: CocoDataset, detections: CocoDetection[], imageIds?: number[]) =>
  evaluateCoco(data, detections, imageIds ? { imageIds } : {}).metrics;

// Boxes of the three area ranges: 20² = 400 (small), 50² = 2,500 (medium), 120² = 14,400 (large).
const SMALL: CocoBox = [10, 10, 20, 20];
const MEDIUM: CocoBox = [100, 100, 50, 50];
const LARGE: CocoBox = [300, 300, 120, 120];
const FAR_AWAY: CocoBox = [900, 900, 50, 50];

/** Precision 1 up to recall 0.5 (51 points: 0, .01, …, .50), then nothing. */
const HALF_RECALL_AP = 51 / 101;
/** One hit, one false positive, one hit over two boxes: precision 1 to recall .5, then 2/3 (50 points). */
const HIT_MISS_HIT_AP = (51 + 50 * (2 / 3)) / 101;

describe('COCO constants', () => {
  it('uses IoU thresholds .50:.05:.95 and 101 recall points, as numpy.linspace makes them', () => {
    expect(IOU_THRESHOLDS).toHaveLength(10);
    expect(IOU_THRESHOLDS[0]).toBe(0.5);
    expect(IOU_THRESHOLDS[5]).toBe(0.75);
    expect(IOU_THRESHOLDS[9]).toBe(0.95);
    expect(RECALL_POINTS).toHaveLength(101);
    expect(RECALL_POINTS[50]).toBe(0.5);
    expect(RECALL_POINTS[100]).toBe(1);
  });

  it('computes box IoU, and IoA of the detection against crowd boxes', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10], false)).toBe(1);
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10], false)).toBeCloseTo(50 / 150, 12);
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10], false)).toBe(0); // touching edges
    expect(boxIou([0, 0, 10, 10], [0, 0, 100, 100], true)).toBe(1); // fully inside the crowd region
    expect(boxIou([0, 0, 10, 10], [5, 0, 100, 100], true)).toBe(0.5);
  });
});

describe('evaluateCoco', () => {
  it('scores perfect detections 1, and -1 for area ranges without ground truth', () => {
    const data = dataset([truth(1, SMALL), truth(1, LARGE), truth(2, MEDIUM, { category: 2 })], [1, 2], [1, 2]);
    const result = metrics(data, [found(1, SMALL, 0.9), found(1, LARGE, 0.8), found(2, MEDIUM, 0.7, 2)]);
    // Precision is tp / (tp + fp + ε), as in pycocotools: 1 within one ulp.
    for (const value of Object.values(result)) expect(value).toBeCloseTo(1, 12);
    const largeOnly = metrics(dataset([truth(1, LARGE)]), [found(1, LARGE, 0.9)]);
    expect(largeOnly.APs).toBe(-1);
    expect(largeOnly.APm).toBe(-1);
    expect(largeOnly.APl).toBeCloseTo(1, 12);
  });

  it('gives 51/101 when one of two boxes is missed', () => {
    const result = metrics(dataset([truth(1, MEDIUM), truth(1, LARGE)]), [found(1, LARGE, 0.9)]);
    expect(result.AP).toBeCloseTo(HALF_RECALL_AP, 12);
    expect(result.AR100).toBe(0.5);
    expect(result.APl).toBeCloseTo(1, 12);
    expect(result.APm).toBe(0);
  });

  it('interpolates precision from the right when a false positive outranks a true positive', () => {
    const data = dataset([truth(1, MEDIUM), truth(1, LARGE)]);
    const result = metrics(data, [found(1, MEDIUM, 0.9), found(1, FAR_AWAY, 0.8), found(1, LARGE, 0.7)]);
    expect(result.AP).toBeCloseTo(HIT_MISS_HIT_AP, 12);
    // With the false positive first: precision 1/2 at recall .5 and 2/3 at recall 1, so the envelope is
    // 2/3 everywhere.
    const worse = metrics(data, [found(1, FAR_AWAY, 0.9), found(1, MEDIUM, 0.8), found(1, LARGE, 0.7)]);
    expect(worse.AP).toBeCloseTo(2 / 3, 12);
    // Ranked last, a false positive costs nothing.
    const harmless = metrics(data, [found(1, MEDIUM, 0.9), found(1, LARGE, 0.8), found(1, FAR_AWAY, 0.7)]);
    expect(harmless.AP).toBeCloseTo(1, 12);
  });

  it('averages over the IoU thresholds a detection reaches', () => {
    // IoU 0.725: a hit at .50, .55, .60, .65, .70; a miss at .75 and above.
    const result = metrics(dataset([truth(1, [0, 0, 100, 100])]), [found(1, [0, 0, 100, 72.5], 0.9)]);
    expect(result.AP50).toBeCloseTo(1, 12);
    expect(result.AP75).toBe(0);
    expect(result.AP).toBeCloseTo(0.5, 12);
  });

  it('counts a duplicate as a false positive at its rank', () => {
    const data = dataset([truth(1, MEDIUM), truth(1, LARGE)]);
    const result = metrics(data, [found(1, MEDIUM, 0.9), found(1, MEDIUM, 0.8), found(1, LARGE, 0.7)]);
    expect(result.AP).toBeCloseTo(HIT_MISS_HIT_AP, 12);
  });

  it('ignores detections inside crowd regions, however many, and never counts the crowd as a miss', () => {
    const crowd = truth(1, [0, 0, 400, 400], { crowd: true });
    const person = truth(1, [500, 500, 50, 50]);
    const inCrowd = [found(1, [10, 10, 50, 50], 0.99), found(1, [100, 100, 60, 60], 0.98), found(1, [200, 0, 150, 300], 0.97)];
    const result = metrics(dataset([crowd, person]), [...inCrowd, found(1, [500, 500, 50, 50], 0.5)]);
    expect(result.AP).toBeCloseTo(1, 12);
    // Half inside the crowd region (IoA 0.5): ignored at IoU .50 only, a false positive above.
    const halfInside = metrics(dataset([crowd, person]), [found(1, [300, 0, 200, 100], 0.99), found(1, [500, 500, 50, 50], 0.5)]);
    expect(halfInside.AP50).toBeCloseTo(1, 12);
    expect(halfInside.AP).toBeCloseTo((1 + 9 * 0.5) / 10, 12);
    // A category with only crowd boxes has nothing to find: it does not count.
    expect(metrics(dataset([truth(1, [0, 0, 400, 400], { crowd: true })]), inCrowd).AP).toBe(-1);
  });

  it('prefers a regular box over a crowd box, even a better-overlapping one', () => {
    const crowd = truth(1, [0, 0, 100, 100], { crowd: true });
    const person = truth(1, [0, 0, 60, 100]);
    // IoU 0.8 with the person, 1 (IoA) with the crowd: it must take the person.
    const result = metrics(dataset([crowd, person]), [found(1, [0, 0, 75, 100], 0.9)]);
    expect(result.AP50).toBeCloseTo(1, 12);
    expect(result.AR100).toBeCloseTo(0.7, 12); // IoU 0.8: a hit at .50 … .80, 7 of 10 thresholds
  });

  it('uses the ground truth area field for the ranges, and ignores unmatched detections outside them', () => {
    // A 40×40 box whose object covers only 500 px² is small.
    const data = dataset([truth(1, [0, 0, 40, 40], { area: 500 }), truth(1, LARGE)]);
    const result = metrics(data, [found(1, [0, 0, 40, 40], 0.9), found(1, LARGE, 0.8)]);
    expect(result.APs).toBeCloseTo(1, 12);
    expect(result.APm).toBe(-1);
    expect(result.APl).toBeCloseTo(1, 12);

    // A large false positive ranked first costs AP (all) but not APs: outside the small range it is ignored.
    const smallOnly = dataset([truth(1, SMALL)]);
    const withLargeMiss = metrics(smallOnly, [found(1, [500, 500, 200, 200], 0.9), found(1, SMALL, 0.8)]);
    expect(withLargeMiss.AP).toBeCloseTo(0.5, 12);
    expect(withLargeMiss.APs).toBeCloseTo(1, 12);
    // A small false positive is inside the range: it counts.
    const withSmallMiss = metrics(smallOnly, [found(1, [500, 500, 20, 20], 0.9), found(1, SMALL, 0.8)]);
    expect(withSmallMiss.APs).toBeCloseTo(0.5, 12);
    // AP50s: the same small-range curve read at IoU .50 only. A box shifted 3 px (IoU 340 / 460 = 0.74)
    // is a hit at thresholds .50–.70 and a miss from .75: AP50s 1, APs 5 / 10.
    const shifted = metrics(smallOnly, [found(1, [SMALL[0] + 3, SMALL[1], SMALL[2], SMALL[3]], 0.8)]);
    expect(shifted.AP50s).toBeCloseTo(1, 12);
    expect(shifted.APs).toBeCloseTo(0.5, 12);
    expect(withSmallMiss.AP50s).toBeCloseTo(0.5, 12);
    expect(metrics(dataset([truth(1, LARGE)]), [found(1, LARGE, 0.9)]).AP50s).toBe(-1);
  });

  it('lets a detection matched to a box outside the range count neither way', () => {
    // The large box is ignored for APs; the detection that hits it is not a false positive there.
    const data = dataset([truth(1, LARGE), truth(1, SMALL)]);
    const result = metrics(data, [found(1, LARGE, 0.9), found(1, SMALL, 0.8)]);
    expect(result.APs).toBeCloseTo(1, 12);
    expect(result.AP).toBeCloseTo(1, 12);
  });

  it('averages AP over the categories that have ground truth', () => {
    const data = dataset([truth(1, MEDIUM, { category: 1 }), truth(1, LARGE, { category: 2 })], [1], [1, 2, 3]);
    const detections = [
      found(1, MEDIUM, 0.9, 1), // category 1: perfect
      found(1, FAR_AWAY, 0.9, 2), found(1, LARGE, 0.8, 2), // category 2: a false positive first → 0.5
      found(1, SMALL, 0.9, 3), // category 3 has no ground truth: ignored entirely
      found(1, MEDIUM, 0.95, 7), // not a dataset category
    ];
    const evaluation = evaluateCoco(data, detections);
    expect(evaluation.metrics.AP).toBeCloseTo(0.75, 12);
    expect(evaluation.categories.map((c) => [c.categoryId, c.boxes, c.AP])).toEqual([
      [1, 1, expect.closeTo(1, 12)],
      [2, 1, expect.closeTo(0.5, 12)],
      [3, 0, -1],
    ]);
  });

  it('counts detections on images without ground truth as false positives', () => {
    const data = dataset([truth(1, MEDIUM)], [1, 2]);
    expect(metrics(data, [found(2, MEDIUM, 0.9), found(1, MEDIUM, 0.8)]).AP).toBeCloseTo(0.5, 12);
    // … unless that image is left out of the evaluation.
    expect(metrics(data, [found(2, MEDIUM, 0.9), found(1, MEDIUM, 0.8)], [1]).AP).toBeCloseTo(1, 12);
  });

  it('ranks detections across images by score', () => {
    const data = dataset([truth(1, MEDIUM), truth(2, MEDIUM)], [1, 2]);
    const result = metrics(data, [found(1, MEDIUM, 0.9), found(1, FAR_AWAY, 0.8), found(2, MEDIUM, 0.7)]);
    expect(result.AP).toBeCloseTo(HIT_MISS_HIT_AP, 12);
  });

  it('keeps at most 100 detections per image and category, by score', () => {
    const misses = Array.from({ length: 100 }, (_, i) => found(1, [1000 + i, 1000, 10, 10], 0.9));
    const data = dataset([truth(1, MEDIUM)]);
    expect(metrics(data, [...misses, found(1, MEDIUM, 0.5)]).AP).toBe(0);
    // The hit, scored higher, survives the cut.
    expect(metrics(data, [...misses, found(1, MEDIUM, 0.95)]).AP).toBeCloseTo(1, 12);
    expect(evaluateCoco(data, [...misses, found(1, MEDIUM, 0.5)], { maxDetections: 101 }).metrics.AP50).toBeGreaterThan(0);
  });

  it('returns -1 everywhere without any ground truth', () => {
    const result = metrics(dataset([]), [found(1, MEDIUM, 0.9)]);
    expect(Object.values(result).every((v) => v === -1)).toBe(true);
  });
});
