/**
 * Detections as files: Loupe's own JSON (boxes with labels, source size, model and backend) and the COCO
 * results format (`[{image_id, category_id, bbox: [x, y, w, h], score}]`, what pycocotools' `loadRes`
 * and most evaluators read). Plain data; `downloadDetections` needs a browser.
 */
import { COCO80_CATEGORY_IDS } from './labels/coco-category-ids.js';
import { COCO80_LABELS } from './labels/coco80.js';
import type { DetectionSummary } from './types.js';

/** Loupe's JSON export of one result. Boxes are in source pixels, top-left origin. */
export interface DetectionsExport {
  model: string;
  backend: string;
  /** Size of the analysed frame in pixels. */
  width: number;
  height: number;
  /** ISO 8601 time of the export. */
  createdAt: string;
  detections: { label: string; classId: number; score: number; x: number; y: number; width: number; height: number }[];
}

/** One entry of a COCO results file. */
export interface CocoResult {
  image_id: number | string;
  category_id: number;
  /** [x, y, width, height] in pixels, top-left origin. */
  bbox: [number, number, number, number];
  score: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export function detectionsToJson(result: DetectionSummary, createdAt: Date = new Date()): DetectionsExport {
  return {
    model: result.model,
    backend: result.backend,
    width: result.letterbox.sourceWidth,
    height: result.letterbox.sourceHeight,
    createdAt: createdAt.toISOString(),
    detections: result.detections.map((d) => ({
      label: d.label,
      classId: d.classId,
      score: round(d.score, 4),
      x: round(d.x, 2),
      y: round(d.y, 2),
      width: round(d.width, 2),
      height: round(d.height, 2),
    })),
  };
}

/**
 * COCO results. `category_id`: COCO's official id for a COCO-80 label (person → 1, …, toothbrush → 90),
 * otherwise `classId + 1` unless `categoryIds` (indexed by class id) says otherwise.
 */
export function detectionsToCoco(result: DetectionSummary, options: { imageId?: number | string; categoryIds?: readonly number[] } = {}): CocoResult[] {
  const { imageId = 0, categoryIds } = options;
  return result.detections.map((d) => {
    const cocoIndex = COCO80_LABELS[d.classId] === d.label ? d.classId : -1;
    const category = categoryIds?.[d.classId] ?? (cocoIndex >= 0 ? COCO80_CATEGORY_IDS[cocoIndex] : undefined) ?? d.classId + 1;
    return { image_id: imageId, category_id: category, bbox: [round(d.x, 2), round(d.y, 2), round(d.width, 2), round(d.height, 2)], score: round(d.score, 4) };
  });
}

/** Saves a `Blob` as a file through a temporary link (browser only). */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Downloads a result as `loupe-detections.json` (Loupe's JSON) or `loupe-detections.coco.json` (COCO results). */
export function downloadDetections(result: DetectionSummary, format: 'json' | 'coco' = 'json', filename?: string): void {
  const data = format === 'coco' ? detectionsToCoco(result) : detectionsToJson(result);
  const name = filename ?? (format === 'coco' ? 'loupe-detections.coco.json' : 'loupe-detections.json');
  downloadBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), name);
}
