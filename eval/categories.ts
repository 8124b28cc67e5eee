/**
 * Which dataset category each class of a model stands for, so that detections can be scored against a
 * COCO-format dataset. Plain data; no tfjs.
 */
import type { CocoCategory } from './coco-eval.js';

/** A model label list with the dataset category ids it is known to correspond to (COCO-80 → COCO ids). */
export interface StandardLabelIds {
  labels: readonly string[];
  categoryIds: readonly number[];
}

export interface CategoryMapping {
  /** Dataset category id per class index of the model; `undefined`: the class is not in the dataset. */
  categoryIds: (number | undefined)[];
  /** `ids`: by a standard id table; `names`: label and category name are equal (ignoring case). */
  by: 'ids' | 'names';
  /** Model labels that no dataset category corresponds to (their detections are not scored). */
  unmatched: string[];
}

const normalise = (name: string): string => name.trim().toLowerCase();

/**
 * Maps model classes to dataset categories. A model whose labels are a standard list uses its id table
 * when the dataset agrees with it (each of its categories with a table id has the table's name): COCO
 * itself or a subset of it. Any other pairing (e.g. a one-class `face` model on a WIDER FACE export whose
 * only category is `1: face`) goes by name.
 */
export function mapCategories(labels: readonly string[], categories: readonly CocoCategory[], standards: readonly StandardLabelIds[] = []): CategoryMapping {
  const standard = standards.find((s) => s.labels.length === labels.length && s.labels.every((label, i) => label === labels[i]));
  if (standard && agreesWith(standard, categories)) {
    const present = new Set(categories.map((c) => c.id));
    const categoryIds = standard.categoryIds.map((id) => (present.has(id) ? id : undefined));
    return { categoryIds, by: 'ids', unmatched: labels.filter((_, i) => categoryIds[i] === undefined) };
  }
  const idByName = new Map(categories.map((c) => [normalise(c.name), c.id]));
  const categoryIds = labels.map((label) => idByName.get(normalise(label)));
  return { categoryIds, by: 'names', unmatched: labels.filter((_, i) => categoryIds[i] === undefined) };
}

function agreesWith(standard: StandardLabelIds, categories: readonly CocoCategory[]): boolean {
  const nameById = new Map(standard.categoryIds.map((id, i) => [id, normalise(standard.labels[i]!)]));
  const shared = categories.filter((c) => nameById.has(c.id));
  return shared.length > 0 && shared.every((c) => nameById.get(c.id) === normalise(c.name));
}
