/**
 * Which Ultralytics output layout a model has, decided from its output shapes (and `metadata.yaml`
 * hints), per research notes decoders.md §4.1:
 *
 * | layout | outputs | made by |
 * |---|---|---|
 * | `channels-first` (A) | one `[1, 4+nc, N]`: cx, cy, w, h, nc class probabilities | `yolo export format=tfjs` (v8, 11, v5u, v9, v12…) |
 * | `channels-last` (A') | one `[1, N, 4+nc]`, the same transposed | hand conversions, other toolchains |
 * | `objectness` (E) | one `[1, N, 5+nc]`: cx, cy, w, h, obj, nc probabilities (3 anchors a cell) | older YOLOv5 TF exports |
 * | `nms-rows` (B/C) | one `[1, R, 6]`: x1, y1, x2, y2, score, class (zero padded) | `nms=True`, end-to-end (v10, 26) |
 * | `yolov5-nms` (D) | boxes `[1, R, 4]`, scores `[1, R]`, classes `[1, R]`, count `[1]` | `ultralytics/yolov5` `export.py --include tfjs` |
 *
 * N = Σ cells over strides 8/16/32 (× 3 anchors for E) maps each column to its level and cell.
 */
import type { LevelSpec } from '../../src/model-descriptor.js';
import { LoupeError } from '../../src/errors.js';
import type { UltralyticsMetadata } from './metadata.js';

export interface OutputInfo {
  name: string;
  /** Shape with the batch; unknown dims as -1. */
  shape: readonly number[];
}

export type UltralyticsLayout =
  | {
      kind: 'channels-first' | 'channels-last';
      classes: number;
      /** Number of columns (candidate boxes). */
      candidates: number;
    }
  | { kind: 'objectness'; classes: number; candidates: number; anchors: number }
  | { kind: 'nms-rows'; rows: number }
  | {
      kind: 'yolov5-nms';
      rows: number;
      /** Output positions of boxes [1,R,4], scores [1,R], classes [1,R], valid count [1]. */
      order: { boxes: number; scores: number; classes: number; count: number };
    };

export interface LayoutChoice {
  layout: UltralyticsLayout;
  /** Levels in column order; empty when the columns carry no cell (B/C/D) or N fits no stride set. */
  levels: LevelSpec[];
}

/** Strides tried when N has to be explained (P3–P5, then P3–P6). */
const STRIDE_SETS: readonly (readonly number[])[] = [
  [8, 16, 32],
  [8, 16, 32, 64],
];

/** Strides 8, 16, … up to `maxStride`. */
function stridesUpTo(maxStride: number): number[] {
  const strides: number[] = [];
  for (let s = 8; s <= maxStride; s *= 2) strides.push(s);
  return strides;
}

/**
 * The levels whose cells (× `anchors`) add up to `count` columns on a `width × height` input, or null.
 * Grids are `ceil(size / stride)` (a stride-2 conv with padding 1 rounds up).
 */
export function inferLevels(count: number, width: number, height: number, anchors: number, maxStride?: number): LevelSpec[] | null {
  const sets = maxStride ? [stridesUpTo(maxStride), ...STRIDE_SETS] : STRIDE_SETS;
  for (const strides of sets) {
    const levels: LevelSpec[] = strides.map((stride) => ({
      stride,
      width: Math.ceil(width / stride),
      height: Math.ceil(height / stride),
      anchors,
      cellOrigin: 'centre',
    }));
    if (levels.reduce((sum, l) => sum + l.width * l.height * l.anchors, 0) === count) return levels;
  }
  return null;
}

const known = (n: number | undefined): n is number => n !== undefined && n > 0;

function describeShapes(outputs: readonly OutputInfo[]): string {
  return outputs.map((o) => `${o.name} [${o.shape.map((d) => (d < 0 ? '?' : d)).join(', ')}]`).join(', ') || 'none';
}

function mismatch(outputs: readonly OutputInfo[], why: string): LoupeError {
  return new LoupeError(
    'model-mismatch',
    `Not an Ultralytics detection output: ${why}. Outputs: ${describeShapes(outputs)}. Supported: [1, 4+nc, N], [1, N, 4+nc], ` +
      `[1, N, 5+nc] (objectness), [1, R, 6] (NMS rows), or YOLOv5's four NMS outputs (boxes, scores, classes, count). See docs/ultralytics.md.`,
  );
}

/** Natural order of output names (`Identity_2` before `Identity_10`). */
const byName = (a: OutputInfo, b: OutputInfo): number => a.name.localeCompare(b.name, 'en', { numeric: true });

/**
 * Picks the layout. In: the model's outputs (with batch), its input size, and `metadata.yaml`. Throws
 * `LoupeError('model-mismatch')` listing the shapes when nothing fits.
 */
export function chooseLayout(outputs: readonly OutputInfo[], input: { width: number; height: number }, meta: UltralyticsMetadata = {}): LayoutChoice {
  if (meta.task && meta.task !== 'detect') throw mismatch(outputs, `metadata.yaml says task '${meta.task}'; only 'detect' models are supported`);
  const nc = meta.names?.length;

  if (outputs.length >= 3) {
    // YOLOv5 TF.js with embedded NMS: boxes [1,R,4], two [1,R] (scores then classes by name), count.
    const boxes = outputs.findIndex((o) => o.shape.length === 3 && o.shape[2] === 4);
    const rows = outputs[boxes]?.shape[1];
    const pairs = outputs
      .map((o, i) => ({ ...o, i }))
      .filter((o) => o.i !== boxes && o.shape.length === 2 && (o.shape[1] === rows || !known(o.shape[1])))
      .sort(byName);
    const count = outputs.findIndex((o, i) => i !== boxes && !pairs.some((p) => p.i === i) && o.shape.length <= 2 && o.shape.every((d) => d <= 1));
    if (boxes >= 0 && known(rows) && pairs.length === 2 && count >= 0 && outputs.length === 4) {
      return { layout: { kind: 'yolov5-nms', rows, order: { boxes, scores: pairs[0]!.i, classes: pairs[1]!.i, count } }, levels: [] };
    }
    throw mismatch(outputs, `${outputs.length} outputs that are not YOLOv5's boxes [1, R, 4], scores [1, R], classes [1, R], count [1]`);
  }
  if (outputs.length !== 1) throw mismatch(outputs, `${outputs.length} outputs`);
  const shape = outputs[0]!.shape;
  const dims = shape.length === 3 ? shape : shape.length === 2 ? [1, ...shape] : null;
  if (!dims || (dims[0] !== 1 && dims[0] !== -1)) throw mismatch(outputs, 'expected one [1, a, b] output');
  const a = dims[1]!;
  const b = dims[2]!;
  if (!known(a) || !known(b)) throw mismatch(outputs, 'the output shape is not fully known');
  const { width, height } = input;
  const stride = meta.stride;

  // Columns explained by a stride grid decide the orientation; metadata's class count breaks ties.
  const first = inferLevels(b, width, height, 1, stride);
  const last = inferLevels(a, width, height, 1, stride);
  const anchored = inferLevels(a, width, height, 3, stride);
  const fits = {
    first: a >= 5 && (nc === undefined || a === 4 + nc),
    last: b >= 5 && (nc === undefined || b === 4 + nc),
    objectness: b >= 6 && (nc === undefined || b === 5 + nc),
  };
  if (first && fits.first) return { layout: { kind: 'channels-first', classes: a - 4, candidates: b }, levels: first };
  if (last && fits.last) return { layout: { kind: 'channels-last', classes: b - 4, candidates: a }, levels: last };
  if (anchored && fits.objectness) return { layout: { kind: 'objectness', classes: b - 5, candidates: a, anchors: 3 }, levels: anchored };
  // [1, R, 6] rows with no stride grid behind them: NMS output (B) or end-to-end (C).
  if (b === 6) return { layout: { kind: 'nms-rows', rows: a }, levels: [] };
  // No grid matches (unusual strides): trust the class count, else the usual orientation.
  if (nc !== undefined) {
    if (a === 4 + nc) return { layout: { kind: 'channels-first', classes: nc, candidates: b }, levels: [] };
    if (b === 4 + nc) return { layout: { kind: 'channels-last', classes: nc, candidates: a }, levels: [] };
    if (b === 5 + nc) return { layout: { kind: 'objectness', classes: nc, candidates: a, anchors: 3 }, levels: [] };
    throw mismatch(outputs, `metadata.yaml lists ${nc} classes, which fits neither 4 + nc nor 5 + nc channels`);
  }
  if (a >= 5 && a < b) return { layout: { kind: 'channels-first', classes: a - 4, candidates: b }, levels: [] };
  if (b >= 5 && b < a) return { layout: { kind: 'channels-last', classes: b - 4, candidates: a }, levels: [] };
  throw mismatch(outputs, 'no layout fits these dimensions');
}

/** One line for logs and docs: what was recognised. */
export function describeLayout(choice: LayoutChoice): string {
  const { layout, levels } = choice;
  const grid = levels.length > 0 ? `, strides ${levels.map((l) => l.stride).join('/')}` : '';
  switch (layout.kind) {
    case 'channels-first':
      return `[1, 4+${layout.classes}, ${layout.candidates}] boxes + class probabilities${grid}`;
    case 'channels-last':
      return `[1, ${layout.candidates}, 4+${layout.classes}] boxes + class probabilities${grid}`;
    case 'objectness':
      return `[1, ${layout.candidates}, 5+${layout.classes}] boxes + objectness + class probabilities${grid}`;
    case 'nms-rows':
      return `[1, ${layout.rows}, 6] rows after NMS`;
    case 'yolov5-nms':
      return `YOLOv5 NMS outputs, ${layout.rows} rows`;
  }
}
