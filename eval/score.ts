/**
 * The Node side of `npm run eval` (loaded by eval/run.mjs through Vite): maps the model's classes to the
 * dataset's categories and scores the detections with the COCO evaluator.
 */
import { COCO80_CATEGORY_IDS } from '../src/labels/coco-category-ids.js';
import { COCO80_LABELS } from '../src/labels/coco80.js';
import { mapCategories, type CategoryMapping } from './categories.js';
import { evaluateCoco, type CocoDataset, type CocoDetection, type CocoEvaluation } from './coco-eval.js';
import type { EvalDetection } from './types.js';

export interface ImageDetections {
  imageId: number;
  detections: readonly EvalDetection[];
}

/** Which dataset category each model class is; throws when none of them is in the dataset. */
export function categoryMapping(labels: readonly string[], dataset: CocoDataset): CategoryMapping {
  const mapping = mapCategories(labels, dataset.categories, [{ labels: COCO80_LABELS, categoryIds: COCO80_CATEGORY_IDS }]);
  if (mapping.categoryIds.every((id) => id === undefined)) {
    const list = (names: readonly string[]) => names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
    const categories = list(dataset.categories.map((c) => c.name));
    throw new Error(`None of the model's classes (${list(labels)}) is a category of the dataset (${categories}).`);
  }
  return mapping;
}

export interface Score {
  evaluation: CocoEvaluation;
  /** The scored detections in COCO's results format. */
  detections: CocoDetection[];
}

/** Scores the detections of the evaluated images (only those count, as in pycocotools' `imgIds`). */
export function score(dataset: CocoDataset, images: readonly ImageDetections[], mapping: CategoryMapping): Score {
  const detections: CocoDetection[] = [];
  for (const { imageId, detections: found } of images) {
    for (const { bbox, score, classId } of found) {
      const categoryId = mapping.categoryIds[classId];
      if (categoryId !== undefined) detections.push({ image_id: imageId, category_id: categoryId, bbox, score });
    }
  }
  return { evaluation: evaluateCoco(dataset, detections, { imageIds: images.map((i) => i.imageId) }), detections };
}
