/**
 * COCO-style box evaluation: the rules of pycocotools' `COCOeval` (iouType `bbox`, default parameters),
 * re-implemented so that the figures can be compared with published ones. Plain data in, plain data out:
 * no tfjs, no DOM.
 *
 * The rules, in the order they apply:
 * - Detections and ground truth are grouped per (image, category); only the dataset's images (or
 *   `imageIds`) and categories count.
 * - Per group, detections are sorted by score (stable) and cut to `maxDetections` (100).
 * - IoU of boxes `[x, y, w, h]`; against a crowd box (`iscrowd: 1`) the union is the detection's own area
 *   (a detection inside a crowd region matches it fully).
 * - For each IoU threshold (.50:.05:.95) and area range (all, small < 32², medium, large ≥ 96², on the
 *   ground truth's `area` field, bounds inclusive), detections are matched greedily in score order to the
 *   best unmatched box with IoU ≥ threshold. Crowd boxes and boxes outside the range are "ignored": they
 *   are tried only when no regular box matches, can be matched any number of times (crowd) and a detection
 *   matched to one is neither a true nor a false positive. An unmatched detection whose own box area lies
 *   outside the range is ignored too.
 * - Per category and range, detections of all images are ranked by score; precision is made monotone
 *   from the right and read at the 101 recall points 0, .01, …, 1 (0 beyond the highest recall reached).
 *   AP is the mean over thresholds and recall points, averaged over the categories that have at least one
 *   non-ignored box in the range; -1 when none has.
 */

/** A box `[x, y, width, height]` in image pixels, top-left origin. */
export type CocoBox = readonly [number, number, number, number];

export interface CocoImage {
  id: number;
  file_name: string;
  width?: number;
  height?: number;
}

export interface CocoCategory {
  id: number;
  name: string;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: CocoBox;
  /** Object area (COCO: of the segmentation, not the box); decides the area range. */
  area: number;
  /** 1: a crowd region, which detections may fall into without counting either way. */
  iscrowd?: number;
}

/** A dataset in COCO's `instances.json` format (the fields the evaluation reads). */
export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One detection in COCO's results format. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: CocoBox;
  score: number;
}

export interface CocoEvalOptions {
  /** Evaluate only these images (default: every image of the dataset). */
  imageIds?: readonly number[];
  /** Detections kept per image and category, by score (default 100). */
  maxDetections?: number;
}

/** COCO's summary figures in 0..1; -1 where no category has a ground-truth box in that area range. */
export interface CocoMetrics {
  AP: number;
  AP50: number;
  AP75: number;
  APs: number;
  APm: number;
  APl: number;
  /**
   * AP at IoU .50 on small boxes only (< 32²): not one of pycocotools' twelve summary figures, but read
   * off the same precision curves — what a small-object detector is for, without IoU ≥ .75's demand on
   * box tightness.
   */
  AP50s: number;
  /** Average recall over IoU .50:.95 with up to `maxDetections` per image and category. */
  AR100: number;
  ARs: number;
  ARm: number;
  ARl: number;
}

export interface CategoryResult {
  categoryId: number;
  name: string;
  /** Non-crowd ground-truth boxes of this category in the evaluated images. */
  boxes: number;
  /** AP over IoU .50:.95, all areas; -1 without ground truth. */
  AP: number;
}

export interface CocoEvaluation {
  metrics: CocoMetrics;
  categories: CategoryResult[];
}

type AreaRangeName = 'all' | 'small' | 'medium' | 'large';

/** Inclusive bounds, as pycocotools writes them: [0, 1e5²], [0, 32²], [32², 96²], [96², 1e5²]. */
const AREA_RANGES: Record<AreaRangeName, readonly [number, number]> = {
  all: [0, 1e10],
  small: [0, 32 ** 2],
  medium: [32 ** 2, 96 ** 2],
  large: [96 ** 2, 1e10],
};

/**
 * numpy.linspace(start, stop, count): `i · step + start` with the last value set to `stop`. Computed the
 * same way so that thresholds and recall points equal pycocotools' bit for bit (a recall of exactly
 * 0.07 must land on the same side of the 0.07 recall point).
 */
function linspace(start: number, stop: number, count: number): number[] {
  const step = (stop - start) / (count - 1);
  const values = Array.from({ length: count }, (_, i) => i * step + start);
  values[count - 1] = stop;
  return values;
}

export const IOU_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, 10);
export const RECALL_POINTS: readonly number[] = linspace(0, 1, 101);
const IOU_50 = 0;
const IOU_75 = 5;

/** numpy.spacing(1): keeps precision finite where no detection was counted yet. */
const EPSILON = Number.EPSILON;

/** IoU of a detection with a ground-truth box; for a crowd box the union is the detection's area. */
export function boxIou(detection: CocoBox, truth: CocoBox, truthIsCrowd: boolean): number {
  const [dx, dy, dw, dh] = detection;
  const [gx, gy, gw, gh] = truth;
  const overlapWidth = Math.min(dx + dw, gx + gw) - Math.max(dx, gx);
  if (overlapWidth <= 0) return 0;
  const overlapHeight = Math.min(dy + dh, gy + gh) - Math.max(dy, gy);
  if (overlapHeight <= 0) return 0;
  const intersection = overlapWidth * overlapHeight;
  const detectionArea = dw * dh;
  const union = truthIsCrowd ? detectionArea : detectionArea + gw * gh - intersection;
  return intersection / union;
}

/** The detections and ground truth of one (image, category), with their IoU matrix. */
interface Group {
  truths: CocoAnnotation[];
  /** Sorted by score, at most `maxDetections`. */
  detections: CocoDetection[];
  /** `ious[d][g]`. */
  ious: number[][];
}

/** What one group contributes to one area range. */
interface GroupOutcome {
  scores: number[];
  /** Per IoU threshold, per detection: matched to a regular box. */
  matched: boolean[][];
  /** Per IoU threshold, per detection: counts neither as true nor as false positive. */
  ignored: boolean[][];
  /** Ground-truth boxes that count (not crowd, inside the range). */
  countedTruths: number;
}

function isCrowd(truth: CocoAnnotation): boolean {
  return (truth.iscrowd ?? 0) !== 0;
}

function makeGroup(truths: CocoAnnotation[], detections: CocoDetection[], maxDetections: number): Group {
  // Array.prototype.sort is stable, like numpy's mergesort: equal scores keep their input order.
  const ranked = [...detections].sort((a, b) => b.score - a.score).slice(0, maxDetections);
  const ious = ranked.map((d) => truths.map((g) => boxIou(d.bbox, g.bbox, isCrowd(g))));
  return { truths, detections: ranked, ious };
}

function outsideRange(area: number, [low, high]: readonly [number, number]): boolean {
  return area < low || area > high;
}

/** Greedy matching of one group in one area range, at every IoU threshold. */
function matchGroup(group: Group, range: readonly [number, number]): GroupOutcome {
  const truthIgnored = group.truths.map((g) => isCrowd(g) || outsideRange(g.area, range));
  // Regular boxes first (stable), so that a detection prefers them over ignored ones.
  const order = group.truths.map((_, i) => i).sort((a, b) => Number(truthIgnored[a]) - Number(truthIgnored[b]));
  const detections = group.detections;
  const matched: boolean[][] = [];
  const ignored: boolean[][] = [];
  for (const threshold of IOU_THRESHOLDS) {
    const truthTaken = new Array<boolean>(group.truths.length).fill(false);
    const matchedHere = new Array<boolean>(detections.length).fill(false);
    const ignoredHere = new Array<boolean>(detections.length).fill(false);
    detections.forEach((detection, d) => {
      let best = -1;
      let bestIou = Math.min(threshold, 1 - 1e-10);
      for (const g of order) {
        if (truthTaken[g] && !isCrowd(group.truths[g]!)) continue;
        // Once matched to a regular box, ignored boxes (sorted last) cannot take the detection away.
        if (best > -1 && !truthIgnored[best] && truthIgnored[g]) break;
        const overlap = group.ious[d]![g]!;
        if (overlap < bestIou) continue;
        bestIou = overlap;
        best = g;
      }
      if (best === -1) {
        ignoredHere[d] = outsideRange(detection.bbox[2] * detection.bbox[3], range);
        return;
      }
      truthTaken[best] = true;
      matchedHere[d] = true;
      ignoredHere[d] = truthIgnored[best]!;
    });
    matched.push(matchedHere);
    ignored.push(ignoredHere);
  }
  return {
    scores: detections.map((d) => d.score),
    matched,
    ignored,
    countedTruths: truthIgnored.filter((ignore) => !ignore).length,
  };
}

/** Precision at the recall points and the final recall, per IoU threshold, for one category and range. */
interface Curve {
  /** `precision[t][r]`. */
  precision: number[][];
  recall: number[];
}

/** Ranks the detections of all images and reads the precision envelope; undefined without ground truth. */
function accumulate(outcomes: readonly GroupOutcome[]): Curve | undefined {
  const countedTruths = outcomes.reduce((sum, o) => sum + o.countedTruths, 0);
  if (countedTruths === 0) return undefined;
  const entries = outcomes.flatMap((o, group) => o.scores.map((score, index) => ({ score, group, index })));
  entries.sort((a, b) => b.score - a.score);
  const precision: number[][] = [];
  const recall: number[] = [];
  IOU_THRESHOLDS.forEach((_, t) => {
    const recallAt: number[] = [];
    const precisionAt: number[] = [];
    let truePositives = 0;
    let falsePositives = 0;
    for (const { group, index } of entries) {
      const outcome = outcomes[group]!;
      if (outcome.ignored[t]![index]) {
        // An ignored detection still occupies its rank: pycocotools keeps the cumulative counts flat.
      } else if (outcome.matched[t]![index]) truePositives++;
      else falsePositives++;
      recallAt.push(truePositives / countedTruths);
      precisionAt.push(truePositives / (falsePositives + truePositives + EPSILON));
    }
    recall.push(recallAt.length > 0 ? recallAt[recallAt.length - 1]! : 0);
    for (let i = precisionAt.length - 1; i > 0; i--) {
      if (precisionAt[i]! > precisionAt[i - 1]!) precisionAt[i - 1] = precisionAt[i]!;
    }
    let rank = 0;
    precision.push(
      RECALL_POINTS.map((point) => {
        // First rank whose recall reaches the point (numpy.searchsorted, side 'left'); recall only grows.
        while (rank < recallAt.length && recallAt[rank]! < point) rank++;
        return rank < precisionAt.length ? precisionAt[rank]! : 0;
      }),
    );
  });
  return { precision, recall };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Mean over categories with ground truth of a per-category figure; -1 when there is none. */
function meanOverCategories(curves: readonly (Curve | undefined)[], figure: (curve: Curve) => number): number {
  const valid = curves.filter((c): c is Curve => c !== undefined);
  return valid.length > 0 ? mean(valid.map(figure)) : -1;
}

const averagePrecision = (curve: Curve): number => mean(curve.precision.map(mean));
const precisionAtThreshold = (t: number) => (curve: Curve): number => mean(curve.precision[t]!);
const averageRecall = (curve: Curve): number => mean(curve.recall);

function groupKey(imageId: number, categoryId: number): string {
  return `${imageId}/${categoryId}`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Evaluates detections against a COCO-format dataset with pycocotools' bbox rules. */
export function evaluateCoco(dataset: CocoDataset, detections: readonly CocoDetection[], options: CocoEvalOptions = {}): CocoEvaluation {
  const maxDetections = options.maxDetections ?? 100;
  // pycocotools evaluates sorted unique ids; the image order breaks score ties across images.
  const imageIds = [...new Set(options.imageIds ?? dataset.images.map((image) => image.id))].sort((a, b) => a - b);
  const categories = [...dataset.categories].sort((a, b) => a.id - b.id);
  const truthsByGroup = groupBy(dataset.annotations, (a) => groupKey(a.image_id, a.category_id));
  const detectionsByGroup = groupBy(detections, (d) => groupKey(d.image_id, d.category_id));

  const curves: Record<AreaRangeName, (Curve | undefined)[]> = { all: [], small: [], medium: [], large: [] };
  const results: CategoryResult[] = [];
  for (const category of categories) {
    const groups: Group[] = [];
    for (const imageId of imageIds) {
      const key = groupKey(imageId, category.id);
      const truths = truthsByGroup.get(key) ?? [];
      const found = detectionsByGroup.get(key) ?? [];
      if (truths.length > 0 || found.length > 0) groups.push(makeGroup(truths, found, maxDetections));
    }
    for (const name of Object.keys(AREA_RANGES) as AreaRangeName[]) {
      curves[name].push(accumulate(groups.map((group) => matchGroup(group, AREA_RANGES[name]))));
    }
    const all = curves.all[curves.all.length - 1];
    results.push({
      categoryId: category.id,
      name: category.name,
      boxes: groups.reduce((sum, g) => sum + g.truths.filter((t) => !isCrowd(t)).length, 0),
      AP: all ? averagePrecision(all) : -1,
    });
  }

  return {
    metrics: {
      AP: meanOverCategories(curves.all, averagePrecision),
      AP50: meanOverCategories(curves.all, precisionAtThreshold(IOU_50)),
      AP75: meanOverCategories(curves.all, precisionAtThreshold(IOU_75)),
      APs: meanOverCategories(curves.small, averagePrecision),
      APm: meanOverCategories(curves.medium, averagePrecision),
      APl: meanOverCategories(curves.large, averagePrecision),
      AP50s: meanOverCategories(curves.small, precisionAtThreshold(IOU_50)),
      AR100: meanOverCategories(curves.all, averageRecall),
      ARs: meanOverCategories(curves.small, averageRecall),
      ARm: meanOverCategories(curves.medium, averageRecall),
      ARl: meanOverCategories(curves.large, averageRecall),
    },
    categories: results,
  };
}
