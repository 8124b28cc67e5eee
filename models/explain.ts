/**
 * The explainer's data: one frame's decode (`detect(source, { trace: true })`, the decode `detect()`
 * runs, on the model's real outputs) cut into steps with plain-language captions, and the raw values of
 * any cell. Plain data, no Lit and no drawing: `<loupe-explain>` shows it.
 *
 * Every number comes from the trace: the outputs copied off the backend, the decoder's candidates, the
 * NMS steps, the kept and final rows. The one computation made here that the decoder does not hand
 * out is CenterNet's peak test over a whole class map, and it is the decoder's own test
 * (`peakSuppressor`, which the JS decode calls for every value it keeps). For the Tiny-YOLOv2 face
 * detector, a clicked cell's five anchor boxes are decoded here from its 25 raw numbers with the
 * decoder's formulas (models/yolo-face/decoder.ts), and tests hold them to the engine's rows.
 * Ultralytics layout-A heads (`yolo-face-small` and a user's `ultralytics:<url>` export) share one
 * reader and one set of steps: their DFL distances are read back from the boxes the network decodes.
 *
 * With `smallObjects`, `explainFrame` also runs the frame through the small-object mode (the image
 * pyramid) and adds a step comparing its boxes with the single pass's (the feature pyramid).
 */
import { LoupeError } from '../src/errors.js';
import { ROW_WIDTH } from '../src/model-descriptor.js';
import { rowAt, type RowBox } from '../src/pipeline.js';
import { iou } from '../src/postprocess/nms.js';
import type { DecodeTrace, Detection, DetectionResult, Detector, FrameSource, LetterboxTransform, OutputLevel, SmallObjectsSetting, TileReport } from '../src/types.js';
import { peakSuppressor } from './centernet/decoder.js';
import { ULTRALYTICS_PREFIX } from './ultralytics/descriptor.js';
import { YOLO_FACE_ANCHORS } from './yolo-face/decoder.js';
import { getModelDescriptor } from './registry.js';
import { describeRegression, type RegressionReading } from './regression.js';

/** Registered models with a step-by-step explanation; a user's Ultralytics export (`ultralytics:<url>`, layout A or A') has one too. */
export const EXPLAINED_MODELS = ['centernet', 'nanodet', 'yolo-face', 'yolo-face-small'] as const;
export type ExplainedModel = (typeof EXPLAINED_MODELS)[number];

/** How a model's outputs are read and cut into steps: yolo-face-small is decoded as an Ultralytics layout-A export. */
type Family = 'centernet' | 'nanodet' | 'yolo-face' | 'ultralytics';

function familyOf(model: string): Family | null {
  if (model === 'yolo-face-small' || model.startsWith(ULTRALYTICS_PREFIX)) return 'ultralytics';
  return model === 'centernet' || model === 'nanodet' || model === 'yolo-face' ? model : null;
}

/** A model's per-cell values, read from the copied outputs: class scores and the regression channels as the engine's maps hold them. */
interface CellReader {
  classes: number;
  /** [classes] at flat cell `cell` of `level`. */
  scores(level: number, cell: number): Float32Array;
  /** [R] at the cell, laid out as `LevelMaps.regression` (the descriptor's `RegressionSpec`). */
  regression(level: number, cell: number): Float32Array;
}

/** Channels per anchor of the face head: tx, ty, tw, th, to. */
const YOLO_FACE_ENCODING = 5;
/** σ in float32, as the backends compute it. */
const sigmoid = (v: number): number => Math.fround(1 / (1 + Math.exp(-v)));

function cellReader(model: Family, outputs: DecodeTrace['outputs'], levelsOfOutputs: readonly OutputLevel[]): CellReader {
  /** Rows of `output` (cell-major, last axis the channels). */
  const rowsOf = (index: number) => {
    const output = outputs[index]!;
    const channels = output.shape.at(-1) ?? 1;
    return { channels, at: (cell: number) => output.values.subarray(cell * channels, (cell + 1) * channels) };
  };
  if (model === 'yolo-face') {
    // conv8 [1, S, S, 25]: per anchor a, channels 5a … 5a + 4 = tx, ty, tw, th, to (raw).
    const raw = rowsOf(0);
    return {
      classes: 1,
      // One class (face): its score is the best anchor's objectness σ(to), as the engine's `scores` map.
      scores: (_, cell) => {
        const values = raw.at(cell);
        let best = -Infinity;
        for (let a = 0; a < YOLO_FACE_ANCHORS.length; a++) best = Math.max(best, sigmoid(values[a * YOLO_FACE_ENCODING + 4]!));
        return Float32Array.of(best);
      },
      // (σ(tx), σ(ty), tw, th) per anchor, anchor-major, as the engine's `regression` map [S, S, 20].
      regression: (_, cell) => {
        const values = raw.at(cell);
        const out = new Float32Array(YOLO_FACE_ANCHORS.length * 4);
        for (let a = 0; a < YOLO_FACE_ANCHORS.length; a++) {
          const at = a * YOLO_FACE_ENCODING;
          out.set([sigmoid(values[at]!), sigmoid(values[at + 1]!), values[at + 2]!, values[at + 3]!], a * 4);
        }
        return out;
      },
    };
  }
  if (model === 'ultralytics') {
    // Ultralytics layout A, [1, 4 + nc, N] (A': [1, N, 4 + nc]): rows cx, cy, w, h (input px, decoded in
    // the network from the DFL bins) and nc class probabilities; column n = level start + cell, levels
    // finest first, each row-major (checked by `checkUltralyticsGrid`).
    const output = outputs[0]!;
    const starts: number[] = [];
    let columns = 0;
    for (const level of levelsOfOutputs) {
      starts.push(columns);
      columns += level.width * level.height;
    }
    const channelsFirst = output.shape.at(-1) === columns;
    const channels = (channelsFirst ? output.shape.at(-2) : output.shape.at(-1)) ?? 5;
    const value = (row: number, level: number, cell: number): number => {
      const column = starts[level]! + cell;
      return output.values[channelsFirst ? row * columns + column : column * channels + row]!;
    };
    const classes = channels - 4;
    return {
      classes,
      scores: (level, cell) => Float32Array.from({ length: classes }, (_, c) => value(4 + c, level, cell)),
      // The four distances from the cell's centre to the box edges (l, t, r, b in px), read back from cx, cy, w, h.
      regression: (level, cell) => {
        const grid = levelsOfOutputs[level]!;
        const pointX = ((cell % grid.width) + 0.5) * grid.stride;
        const pointY = (Math.floor(cell / grid.width) + 0.5) * grid.stride;
        const [cx, cy, w, h] = [value(0, level, cell), value(1, level, cell), value(2, level, cell), value(3, level, cell)];
        return Float32Array.of(pointX - (cx - w / 2), pointY - (cy - h / 2), cx + w / 2 - pointX, cy + h / 2 - pointY);
      },
    };
  }
  // CenterNet: tower_0/keypoints [1, H, W, 80], tower_0/wh [1, H, W, 4]. NanoDet, per level l: class
  // scores [1, N_l, 80] at output l, GFL logits [1, N_l, 44] at output 3 + l.
  const scoresAt = (level: number) => (model === 'centernet' ? 0 : level);
  const regressionAt = (level: number) => (model === 'centernet' ? 1 : 3 + level);
  return {
    classes: rowsOf(0).channels,
    scores: (level, cell) => rowsOf(scoresAt(level)).at(cell),
    regression: (level, cell) => rowsOf(regressionAt(level)).at(cell),
  };
}

/** One anchor of a Tiny-YOLOv2 cell: its raw numbers and the box they decode to. */
export interface AnchorReading {
  anchor: number;
  /** The anchor's size in model-input pixels (cells · stride). */
  anchorWidth: number;
  anchorHeight: number;
  /** The head's five raw numbers for this anchor. */
  tx: number;
  ty: number;
  tw: number;
  th: number;
  to: number;
  /** σ(to): how likely a box centred in this cell, of about this anchor's shape, holds an object. */
  objectness: number;
  /** The class's probability given an object: 1 for the one-class face head. */
  classScore: number;
  /** objectness × class score: the candidate's score. */
  score: number;
  /** The box decoded here: centre (x + σ(tx), y + σ(ty)) · stride, size e^tw · anchor by e^th · anchor, input px. */
  box: { x1: number; y1: number; x2: number; y2: number };
  /** The decoder's candidate for this anchor, when it is among them. */
  candidate: ExplainedRow | null;
}

/** A candidate row of the trace, with its place in the decode. */
export interface ExplainedRow extends RowBox {
  /** Rank among the decoder's candidates (0 = best score). */
  rank: number;
  /** The anchor of its cell (0 for anchor-free heads). */
  anchor: number;
  /** The cell it came from. */
  cellX: number;
  cellY: number;
  /** Prior point of the cell, in model-input pixels. */
  pointX: number;
  pointY: number;
}

/** What a step's picture shows; every coordinate is in model-input pixels except `boxes`' (source px). */
export type StepPicture =
  | { kind: 'input' }
  | { kind: 'map'; level: number; width: number; height: number; values: Float32Array; classId: number | null; grid?: boolean }
  | { kind: 'levels'; maps: { level: number; width: number; height: number; values: Float32Array; label?: string }[] }
  | { kind: 'anchors'; level: number; cellX: number; cellY: number; anchors: { anchor: number; width: number; height: number }[]; row: ExplainedRow | null }
  | { kind: 'responsible'; level: number; rows: ExplainedRow[]; anchors: { width: number; height: number }[] }
  | { kind: 'peaks'; level: number; width: number; height: number; values: Float32Array; classId: number; peaks: number[]; suppressed: number[] }
  | { kind: 'candidates'; rows: ExplainedRow[]; arrows: boolean; threshold: number | null }
  | { kind: 'nms'; rows: ExplainedRow[]; steps: { row: ExplainedRow; suppressedBy: ExplainedRow | null; iou: number }[] }
  | { kind: 'boxes'; detections: Detection[] }
  | { kind: 'pyramid'; fpn: Detection[]; pyramid: Detection[]; tiles: TileReport[]; smallArea: number };

/** One path of the pyramid comparison: its boxes, passes, time and small objects. */
export interface PyramidPath {
  /** The boxes it gives (the single pass: `detect()`'s; the image pyramid: small-object mode's, each with its `tile`). */
  detections: Detection[];
  /** Model executions it took. */
  executions: number;
  /** Wall-clock time of its `detect()`, ms (`timings.total`). */
  ms: number;
  /** Boxes under `smallArea` px² in the frame. */
  small: number;
  /** Boxes the other path has no match for (same class, IoU ≥ 0.5). */
  only: number;
}

/** The same frame through the model's feature pyramid (one pass) and through the image pyramid (small-object mode). */
export interface PyramidComparison {
  /** COCO's "small": an area below 32 × 32 px in the frame. */
  smallArea: number;
  fpn: PyramidPath;
  pyramid: PyramidPath;
  /** The image pyramid's passes (0: the whole frame; then each tile, at its scale), `executed` or not. */
  tiles: TileReport[];
}

export interface ExplainOptions {
  /**
   * Also run the frame through the small-object mode (the image pyramid: the whole frame, then tiles of
   * it seen larger) with this setting, and add a last step that compares its boxes with the single pass's.
   */
  smallObjects?: SmallObjectsSetting;
}

export interface ExplainStep {
  /** Stable id, used in the URL (`#step=peaks`). */
  id: string;
  title: string;
  /** Plain language, with this frame's numbers. */
  caption: string;
  /** Text alternative of the picture: what it shows, listed. */
  alt: string;
  picture: StepPicture;
}

/** Everything the model computed at one cell, and what the decode did with it. */
export interface CellExplanation {
  level: number;
  stride: number;
  x: number;
  y: number;
  /** Prior point in model-input pixels. */
  pointX: number;
  pointY: number;
  /** All class scores at the cell, as the model output them. */
  scores: Float32Array;
  bestClass: number;
  /** The raw regression channels at the cell and what they mean (`models/regression.ts`; anchored heads: the best anchor's). */
  regressionValues: Float32Array;
  regression: RegressionReading | null;
  /** Anchored heads (Tiny-YOLOv2): every anchor of the cell, raw and decoded; null otherwise. */
  anchors: AnchorReading[] | null;
  /** The anchor the verdict is about (the cell's best; 0 for anchor-free heads). */
  bestAnchor: number;
  /** The decoder's candidates at this cell (any class), best first. */
  candidates: ExplainedRow[];
  /** Why the cell's best class did or did not become a box, in plain language. */
  verdict: string;
}

export interface Explanation {
  model: string;
  labels: readonly string[];
  letterbox: LetterboxTransform;
  levels: readonly OutputLevel[];
  trace: DecodeTrace;
  /** What `detect()` returned for this frame (the `boxes` step's). */
  detections: Detection[];
  steps: ExplainStep[];
  /** With `smallObjects`: the image pyramid against the feature pyramid on this frame (the last step); else null. */
  pyramid: PyramidComparison | null;
  /** The cell's raw values and fate; throws `LoupeError('bad-option')` for a cell outside the level. */
  cell(level: number, x: number, y: number): CellExplanation;
}

const percent = (value: number): string => value.toFixed(2);
const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/**
 * Runs `detector` once on `source` with the trace on, and explains that decode. With
 * `options.smallObjects` it then runs the frame twice more, untraced: once as a single pass (its time)
 * and once in small-object mode, for the pyramid step. The caller keeps the detector; nothing is left to
 * dispose (the trace is plain arrays). Throws `LoupeError('bad-option')` for a model without an
 * explanation (or a bad `smallObjects`), or the `detect()` error.
 */
export async function explainFrame(detector: Detector, source: FrameSource, options: ExplainOptions = {}): Promise<Explanation> {
  if (!isExplained(detector.model)) {
    throw new LoupeError('bad-option', `No step-by-step explanation for model '${detector.model}' yet; explained: ${EXPLAINED_MODELS.join(', ')} and Ultralytics exports (ultralytics:<url>).`);
  }
  const result = await detector.detect(source, { trace: true, smallObjects: false });
  result.dispose();
  const explanation = explainResult(result, detector.labels);
  if (options.smallObjects === undefined || options.smallObjects === false) return explanation;
  const single = await detector.detect(source, { smallObjects: false });
  single.dispose();
  const tiled = await detector.detect(source, { smallObjects: options.smallObjects });
  tiled.dispose();
  return withPyramidStep(explanation, single, tiled);
}

/** Whether `model` (a registry id or `ultralytics:<url>`) has a step-by-step explanation. */
export function isExplained(model: string): boolean {
  return familyOf(model) !== null;
}

/** The image pyramid's boxes are small-object mode's: the step needs its result. */
function withPyramidStep(explanation: Explanation, single: DetectionResult, tiled: DetectionResult): Explanation {
  const smallArea = 32 * 32;
  const isSmall = (d: Detection): boolean => d.width * d.height < smallArea;
  const unmatched = (mine: readonly Detection[], theirs: readonly Detection[]): number =>
    mine.filter((d) => !theirs.some((other) => other.classId === d.classId && iou(d, other) >= 0.5)).length;
  const fpnBoxes = explanation.detections;
  const pyramidBoxes = tiled.detections;
  const tiles = tiled.smallObjects?.tiles ?? [];
  const comparison: PyramidComparison = {
    smallArea,
    fpn: { detections: fpnBoxes, executions: single.executions ?? 1, ms: single.timings.total, small: fpnBoxes.filter(isSmall).length, only: unmatched(fpnBoxes, pyramidBoxes) },
    pyramid: { detections: pyramidBoxes, executions: tiled.executions ?? 1, ms: tiled.timings.total, small: pyramidBoxes.filter(isSmall).length, only: unmatched(pyramidBoxes, fpnBoxes) },
    tiles,
  };
  const { levels } = explanation;
  const { fpn, pyramid } = comparison;
  const countBy = (boxes: readonly Detection[], key: (d: Detection) => string): string => {
    const counts = new Map<string, number>();
    for (const d of boxes) counts.set(key(d), (counts.get(key(d)) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${n} at ${k}`).join(', ') || 'no box';
  };
  const levelTag = (d: Detection): string => `stride ${d.cell.stride}`;
  const scaleTag = (d: Detection): string => `×${d.tile?.scale ?? 1} stride ${d.cell.stride}`;
  const scales = [...new Set(tiles.filter((t) => t.index > 0).map((t) => t.scale))];
  const ran = tiles.filter((t) => t.index > 0 && t.executed).length;
  const ms = (value: number): string => `${Math.round(value).toLocaleString('en')} ms`;
  const grid = levels.length === 1 ? `its one output map at stride ${levels[0]!.stride}` : `its ${levels.length} levels at strides ${levels.map((l) => l.stride).join(', ')}, the finest for the smallest objects`;
  const step: ExplainStep = {
    id: 'pyramid',
    title: 'Image pyramid vs feature pyramid',
    caption:
      `Two ways to find small objects. Feature pyramid: the model's single pass (${plural(fpn.executions, 'execution')}, ${ms(fpn.ms)}) sees the frame once, through ${grid}: ` +
      `${plural(fpn.detections.length, 'box', 'boxes')}, ${fpn.small} small (under 32 × 32 px in the frame); by level: ${countBy(fpn.detections, levelTag)}. ` +
      `Image pyramid (Loupe's small-object mode, SNIP-style): the whole frame, then the frame seen ${scales.map((s) => `${s}×`).join(', ') || ''} larger in ${plural(ran, 'model-sized tile')} ` +
      `(${plural(pyramid.executions, 'execution')}, ${ms(pyramid.ms)}): ${plural(pyramid.detections.length, 'box', 'boxes')}, ${pyramid.small} small; by scale and level: ${countBy(pyramid.detections, scaleTag)}. ` +
      `${plural(pyramid.only, 'box', 'boxes')} only the image pyramid found, ${plural(fpn.only, 'box', 'boxes')} only the single pass.`,
    alt:
      `Left, the single pass: ${fpn.detections.map((d) => `${d.label} ${percent(d.score)} (${levelTag(d)}${isSmall(d) ? ', small' : ''})`).join('; ') || 'no box'}. ` +
      `Right, the image pyramid with its ${ran} tiles outlined: ${pyramid.detections.map((d) => `${d.label} ${percent(d.score)} (${scaleTag(d)}${isSmall(d) ? ', small' : ''})`).join('; ') || 'no box'}.`,
    picture: { kind: 'pyramid', fpn: fpn.detections, pyramid: pyramid.detections, tiles, smallArea },
  };
  return { ...explanation, steps: [...explanation.steps, step], pyramid: comparison };
}

/** The explanation of a traced result (`detect(source, { trace: true })`). */
export function explainResult(result: DetectionResult, labels: readonly string[]): Explanation {
  const { trace, model, letterbox, levels, detections } = result;
  if (!trace) throw new LoupeError('bad-option', 'This result has no trace: detect(source, { trace: true }).');
  const family = familyOf(model);
  if (!family) throw new LoupeError('bad-option', `No step-by-step explanation for model '${model}' yet.`);
  if (family === 'ultralytics') checkUltralyticsGrid(model, trace, levels);
  const descriptor = getModelDescriptor(model);
  const reader = cellReader(family, trace.outputs, levels);
  const labelOf = (classId: number): string => labels[classId] ?? `class ${classId}`;

  const rows: ExplainedRow[] = [];
  for (let at = 0, rank = 0; at + ROW_WIDTH <= trace.candidates.length; at += ROW_WIDTH, rank++) {
    const row = rowAt(trace.candidates, at);
    const level = levels[row.level] ?? levels[0]!;
    const cell = Math.floor(row.position / level.anchors);
    const cellX = cell % level.width;
    const cellY = Math.floor(cell / level.width);
    const offset = level.cellOrigin === 'centre' ? 0.5 : 0;
    rows.push({ ...row, rank, anchor: row.position % level.anchors, cellX, cellY, pointX: (cellX + offset) * level.stride, pointY: (cellY + offset) * level.stride });
  }
  const threshold = trace.scoreThreshold;
  const passing = rows.filter((row) => row.score >= threshold);

  /** Per cell of `level`: the best class score (classId null) or one class's. */
  const cellMap = (level: number, classId: number | null): Float32Array => {
    const grid = levels[level]!;
    const out = new Float32Array(grid.width * grid.height);
    for (let cell = 0; cell < out.length; cell++) {
      const values = reader.scores(level, cell);
      if (classId !== null) out[cell] = values[classId]!;
      else {
        let best = -Infinity;
        for (const v of values) best = Math.max(best, v);
        out[cell] = best;
      }
    }
    return out;
  };
  const anchorsOf = (levelIndex: number, x: number, y: number): AnchorReading[] | null => {
    if (family !== 'yolo-face') return null;
    const level = levels[levelIndex]!;
    const output = trace.outputs[0]!;
    const channels = output.shape.at(-1) ?? 0;
    const raw = output.values.subarray((y * level.width + x) * channels, (y * level.width + x + 1) * channels);
    return YOLO_FACE_ANCHORS.map(([cellsWide, cellsHigh], anchor) => {
      const at = anchor * YOLO_FACE_ENCODING;
      const [tx, ty, tw, th, to] = [raw[at]!, raw[at + 1]!, raw[at + 2]!, raw[at + 3]!, raw[at + 4]!];
      const anchorWidth = cellsWide * level.stride;
      const anchorHeight = cellsHigh * level.stride;
      const cx = (x + sigmoid(tx)) * level.stride;
      const cy = (y + sigmoid(ty)) * level.stride;
      const width = Math.exp(tw) * anchorWidth;
      const height = Math.exp(th) * anchorHeight;
      const objectness = sigmoid(to);
      const classScore = 1;
      const candidate = rows.find((row) => row.level === levelIndex && row.cellX === x && row.cellY === y && row.anchor === anchor) ?? null;
      const x1 = cx - width / 2;
      const y1 = cy - height / 2;
      return { anchor, anchorWidth, anchorHeight, tx, ty, tw, th, to, objectness, classScore, score: objectness * classScore, box: { x1, y1, x2: x1 + width, y2: y1 + height }, candidate };
    });
  };

  const [inputWidth, inputHeight] = [letterbox.inputWidth, letterbox.inputHeight];
  // face-api's layout puts the frame at the top-left, the border right and bottom; the others centre it.
  const topLeft = letterbox.padX === 0 && letterbox.padY === 0 && (letterbox.contentWidth < inputWidth || letterbox.contentHeight < inputHeight);
  const border = topLeft
    ? `placed at the top-left of the model's ${inputWidth} × ${inputHeight} input, with ${inputWidth - letterbox.contentWidth} px of border on the right and ${inputHeight - letterbox.contentHeight} px at the bottom`
    : `centred in the model's ${inputWidth} × ${inputHeight} input, with ${letterbox.padX} px of border left and right and ${letterbox.padY} px top and bottom`;
  const steps: ExplainStep[] = [
    {
      id: 'input',
      title: 'The letterboxed input',
      caption:
        `The ${letterbox.sourceWidth} × ${letterbox.sourceHeight} frame is scaled by ${letterbox.scaleX.toFixed(3)} to ` +
        `${letterbox.contentWidth} × ${letterbox.contentHeight} and ${border}, so nothing is stretched.`,
      alt: topLeft
        ? `The frame scaled to ${letterbox.contentWidth} × ${letterbox.contentHeight} at the top-left of a ${inputWidth} × ${inputHeight} square, border right and bottom.`
        : `The frame scaled to ${letterbox.contentWidth} × ${letterbox.contentHeight} inside a ${inputWidth} × ${inputHeight} square, borders ${letterbox.padX} px left/right, ${letterbox.padY} px top/bottom.`,
      picture: { kind: 'input' },
    },
  ];
  const best = passing[0] ?? rows[0];
  const focusClass = best?.classId ?? 0;
  const nmsAfterThreshold = trace.nms?.space === 'frame';

  /** The levels step of a multi-level head: each level's best score per cell side by side; `describe` gets the candidates per level. */
  const levelsStep = (describe: (perLevel: number[]) => string): ExplainStep => {
    const maps = levels.map((level, index) => ({ level: index, width: level.width, height: level.height, values: cellMap(index, null) }));
    const perLevel = levels.map((_, index) => passing.filter((row) => row.level === index).length);
    return {
      id: 'levels',
      title: `${levels.length} levels at strides ${levels.map((l) => l.stride).join(', ')}`,
      caption: describe(perLevel),
      alt: maps.map((m, i) => `stride ${levels[i]!.stride}: ${m.width} × ${m.height} cells, ${perLevel[i]} candidates ≥ ${percent(threshold)}`).join('; '),
      picture: { kind: 'levels', maps },
    };
  };

  /** Tiny-YOLOv2 (face-api's face detector): the S × S grid, 5 anchors per cell, objectness × class, threshold; NMS and boxes follow. */
  const yoloFaceSteps = (): void => {
    const level = levels[0]!;
    const anchorCount = level.anchors;
    const perCell = anchorCount * YOLO_FACE_ENCODING;
    const bestMap = cellMap(0, null);
    let hot = 0;
    for (const v of bestMap) if (v >= threshold) hot++;
    steps.push({
      id: 'grid',
      title: `The ${level.width} × ${level.height} grid`,
      caption:
        `YOLO cuts the input into an S × S grid: here ${level.width} × ${level.height} cells of ${level.stride} × ${level.stride} px. Every cell outputs ` +
        `${perCell} numbers, ${anchorCount} boxes × (tx, ty, tw, th, to), for objects whose centre falls inside it. Shown: each cell's best score ` +
        `(over its ${anchorCount} anchors); ${plural(hot, 'cell')} of ${(level.width * level.height).toLocaleString('en')} reach ${percent(threshold)}.`,
      alt: `A ${level.width} × ${level.height} grid of ${level.stride}-px cells over the input, coloured by each cell's best score; ${hot} cells at or above ${percent(threshold)}.`,
      picture: { kind: 'map', level: 0, width: level.width, height: level.height, values: bestMap, classId: null, grid: true },
    });
    const output = trace.outputs[0]!;
    const anchorMaps = YOLO_FACE_ANCHORS.map(([w, h], anchor) => {
      const values = new Float32Array(level.width * level.height);
      for (let cell = 0; cell < values.length; cell++) values[cell] = sigmoid(output.values[cell * perCell + anchor * YOLO_FACE_ENCODING + 4]!);
      return { level: 0, width: level.width, height: level.height, values, label: `anchor ${anchor}: ${Math.round(w * level.stride)} × ${Math.round(h * level.stride)} px` };
    });
    const perAnchor = anchorMaps.map((map) => map.values.reduce((count, v) => count + (v >= threshold ? 1 : 0), 0));
    steps.push({
      id: 'objectness',
      title: 'Objectness × class score',
      caption:
        `Each anchor's score is its objectness σ(to) (is there an object centred here, of about this shape?) times the class probability. ` +
        `This head has one class, '${labelOf(0)}', so the class probability is 1 and the score is σ(to). The ${anchorCount} maps, one per anchor: ` +
        `cells at or above ${percent(threshold)} per anchor: ${perAnchor.join(', ')}.`,
      alt: anchorMaps.map((map, i) => `${map.label}: ${perAnchor[i]} cells ≥ ${percent(threshold)}`).join('; '),
      picture: { kind: 'levels', maps: anchorMaps },
    });
    const anchors = YOLO_FACE_ANCHORS.map(([w, h], anchor) => ({ anchor, width: w * level.stride, height: h * level.stride }));
    const centreX = best?.cellX ?? Math.floor(level.width / 2);
    const centreY = best?.cellY ?? Math.floor(level.height / 2);
    steps.push({
      id: 'anchors',
      title: `${anchorCount} anchors per cell`,
      caption:
        `YOLOv2 does not predict a box from nothing: each of a cell's ${anchorCount} predictions starts from an anchor, a typical face shape learnt from the training boxes ` +
        `(${anchors.map((a) => `${Math.round(a.width)} × ${Math.round(a.height)}`).join(', ')} px). The box's centre is (x + σ(tx), y + σ(ty)) × ${level.stride}, inside the cell; ` +
        `its size e^tw × the anchor's width by e^th × its height.` +
        (best ? ` Drawn at cell (${best.cellX}, ${best.cellY}), whose anchor ${best.anchor} gives the best box: e^tw = ${((best.x2 - best.x1) / anchors[best.anchor]!.width).toFixed(2)}, e^th = ${((best.y2 - best.y1) / anchors[best.anchor]!.height).toFixed(2)}.` : ''),
      alt: `The ${anchorCount} anchor boxes centred on cell (${centreX}, ${centreY}): ${anchors.map((a) => `anchor ${a.anchor} ${Math.round(a.width)} × ${Math.round(a.height)} px`).join(', ')}${best ? `; the best candidate's box from anchor ${best.anchor}: ${Math.round(best.x2 - best.x1)} × ${Math.round(best.y2 - best.y1)} px` : ''}.`,
      picture: { kind: 'anchors', level: 0, cellX: centreX, cellY: centreY, anchors, row: best ?? null },
    });
    steps.push({
      id: 'threshold',
      title: `The score threshold ${percent(threshold)}`,
      caption:
        `The decoder keeps the ${rows.length} best of the ${(level.width * level.height * anchorCount).toLocaleString('en')} anchor boxes (K = maxDetections); ` +
        `${passing.length} of them score at least ${percent(threshold)} and go on (boxes drawn), the other ${rows.length - passing.length} are dropped (grey).`,
      alt: `${passing.length} candidates at or above ${percent(threshold)}: ${passing.slice(0, 6).map((r) => `${percent(r.score)} at cell (${r.cellX}, ${r.cellY}) anchor ${r.anchor}`).join('; ')}${passing.length > 6 ? '; …' : ''}; ${rows.length - passing.length} dropped.`,
      picture: { kind: 'candidates', rows, arrows: false, threshold },
    });
    steps.push({
      id: 'responsible',
      title: 'The cell responsible for each box',
      caption:
        `A box belongs to the one cell its centre falls in: that cell, and of its ${anchorCount} anchors the one whose shape fits best, was trained to predict it. ` +
        `For the ${plural(passing.length, 'candidate')} above the threshold: the responsible cell (square), the anchor it started from (dashed) and the box it became.`,
      alt: passing.length
        ? passing.slice(0, 8).map((r) => `box centred at (${((r.x1 + r.x2) / 2).toFixed(0)}, ${((r.y1 + r.y2) / 2).toFixed(0)}): cell (${r.cellX}, ${r.cellY}), anchor ${r.anchor}`).join('; ') + (passing.length > 8 ? '; …' : '')
        : 'No candidate reaches the threshold.',
      picture: { kind: 'responsible', level: 0, rows: passing, anchors },
    });
  };

  /**
   * An anchor-free Ultralytics head (YOLOv8/11-style, layout A: yolo-face-small, a user's export): a grid per
   * stride, one box per cell, class probabilities (one step per class map when there are several), the
   * DFL distances; the model's NMS and the boxes follow.
   */
  const ultralyticsSteps = (): void => {
    const { classes } = reader;
    steps.push(
      levelsStep(
        (perLevel) =>
          `An anchor-free YOLO (v8-style head): ${levels.length} grids of ${levels.map((l) => `${l.width} × ${l.height}`).join(', ')} cells (a cell covers ${levels.map((l) => l.stride).join(', ')} px), ` +
          `one box per cell and no objectness: the score is ` +
          (classes === 1 ? `the class probability p(${labelOf(0)}) itself. Shown: p per cell.` : `the best of the cell's ${classes} class probabilities. Shown: that best probability per cell.`) +
          ` Candidates at or above ${percent(threshold)} per level: ${perLevel.join(', ')}.`,
      ),
    );
    if (classes > 1) {
      const maps = levels.map((level, index) => ({ level: index, width: level.width, height: level.height, values: cellMap(index, focusClass), label: `stride ${level.stride}: p(${labelOf(focusClass)})` }));
      const hot = maps.map((map) => map.values.reduce((count, v) => count + (v >= threshold ? 1 : 0), 0));
      steps.push({
        id: 'classes',
        title: `${classes} class scores per cell`,
        caption:
          `Every cell outputs ${classes} class probabilities, each through its own sigmoid: they need not add up to 1 (no softmax, no objectness). ` +
          `A cell's box takes its best class, with that probability as its score. Shown: p('${labelOf(focusClass)}'), the best box's class, at every level; ` +
          `cells at or above ${percent(threshold)}: ${hot.join(', ')}.`,
        alt: maps.map((map, i) => `stride ${levels[i]!.stride}: ${map.width} × ${map.height} cells of p('${labelOf(focusClass)}'), ${hot[i]} at or above ${percent(threshold)}`).join('; '),
        picture: { kind: 'levels', maps },
      });
    }
    steps.push({
      id: 'distances',
      title: 'DFL distances to the four edges',
      caption:
        `Each cell predicts, per side, a distribution over 16 bins (distribution focal loss); its expectation × the stride is the distance from the cell's centre to that edge of the box. ` +
        `The network takes the expectation itself and outputs the box (cx, cy, w, h), so the distances drawn (left, top, right, bottom) are read back from it. ` +
        `Of the ${rows.length} best candidates, ${passing.length} ${passing.length === 1 ? 'reaches' : 'reach'} ${percent(threshold)}.`,
      alt: passing.length
        ? passing.slice(0, 6).map((r) => `${labelOf(r.classId)} ${percent(r.score)} at cell (${r.cellX}, ${r.cellY}) stride ${levels[r.level]?.stride}: left ${(r.pointX - r.x1).toFixed(1)}, top ${(r.pointY - r.y1).toFixed(1)}, right ${(r.x2 - r.pointX).toFixed(1)}, bottom ${(r.y2 - r.pointY).toFixed(1)} px`).join('; ')
        : 'No candidate reaches the threshold.',
      picture: { kind: 'candidates', rows: passing, arrows: true, threshold },
    });
  };

  if (family === 'centernet') {
    const level = levels[0]!;
    const { values: heat } = trace.outputs[0]!;
    const { classes } = reader;
    const cells = level.width * level.height;
    const maxMap = cellMap(0, null);
    let hot = 0;
    for (const v of maxMap) if (v >= threshold) hot++;
    steps.push({
      id: 'heatmap',
      title: `${classes} heatmaps, one per class`,
      caption:
        `The model outputs ${classes} maps of ${level.width} × ${level.height} cells, one per class; each cell covers ${level.stride} × ${level.stride} input pixels ` +
        `and says how likely an object of that class has its centre there. Shown: the highest of the ${classes} scores per cell. ` +
        `${plural(hot, 'cell')} of ${cells.toLocaleString('en')} reach the score threshold ${percent(threshold)} in some class.`,
      alt: `A ${level.width} × ${level.height} map of the best class score per cell; ${hot} cells at or above ${percent(threshold)}.`,
      picture: { kind: 'map', level: 0, width: level.width, height: level.height, values: maxMap, classId: null },
    });
    const classMap = cellMap(0, focusClass);
    let classHot = 0;
    for (const v of classMap) if (v >= threshold) classHot++;
    steps.push({
      id: 'class-map',
      title: `One class: ${labelOf(focusClass)}`,
      caption:
        `The '${labelOf(focusClass)}' map alone (the class of the best box). A ${labelOf(focusClass)} shows as a small bright blob, ` +
        `brightest at its centre cell; ${plural(classHot, 'cell')} of it score at least ${percent(threshold)}.`,
      alt: `The '${labelOf(focusClass)}' score map, ${level.width} × ${level.height}; ${classHot} cells at or above ${percent(threshold)}.`,
      picture: { kind: 'map', level: 0, width: level.width, height: level.height, values: classMap, classId: focusClass },
    });
    // The decoder's own peak test, over every cell of the class that scores at least the floor shown.
    const floor = Math.min(threshold, 0.1);
    const peaks: number[] = [];
    const suppressed: number[] = [];
    for (let cell = 0; cell < cells; cell++) {
      if (!(classMap[cell]! >= floor)) continue;
      (peakSuppressor(heat, level.width, level.height, classes, cell * classes + focusClass) < 0 ? peaks : suppressed).push(cell);
    }
    steps.push({
      id: 'peaks',
      title: 'The 3 × 3 peak test',
      caption:
        `A blob covers several cells, but it should give one box. So a cell is kept only if none of its 8 neighbours scores higher in the same class ` +
        `(it equals the maximum of its 3 × 3 neighbourhood): this is CenterNet's whole "non-maximum suppression". ` +
        `Of the ${plural(peaks.length + suppressed.length, 'cell')} of '${labelOf(focusClass)}' scoring at least ${percent(floor)}, ${peaks.length} are peaks (kept, ringed) ` +
        `and ${suppressed.length} have a higher neighbour (dropped, crossed).`,
      alt: `'${labelOf(focusClass)}' cells scoring at least ${percent(floor)}: ${peaks.length} peaks kept at ${listCells(peaks.slice(0, 8), level.width)}${peaks.length > 8 ? ', …' : ''}; ${suppressed.length} suppressed by a neighbour.`,
      picture: { kind: 'peaks', level: 0, width: level.width, height: level.height, values: classMap, classId: focusClass, peaks, suppressed },
    });
    steps.push({
      id: 'top-k',
      title: `The ${rows.length} best peaks`,
      caption:
        `Over all ${classes} classes, the decoder keeps the ${rows.length} best peaks (K = maxDetections = ${trace.maxDetections}), ` +
        `from ${percent(rows[0]?.score ?? 0)} down to ${percent(rows.at(-1)?.score ?? 0)}. Each is a class at a cell: its score is the heatmap value there.`,
      alt: `${rows.length} candidate points: ${rows.slice(0, 6).map((r) => `#${r.rank + 1} ${labelOf(r.classId)} ${percent(r.score)} at cell (${r.cellX}, ${r.cellY})`).join('; ')}${rows.length > 6 ? '; …' : ''}.`,
      picture: { kind: 'candidates', rows, arrows: false, threshold: null },
    });
    steps.push({
      id: 'regression',
      title: 'Four distances per peak',
      caption:
        `At each peak's cell a second output, ${trace.outputs[1]?.name ?? 'the regression map'} (4 values per cell), gives the distances in input pixels from the cell's point ` +
        `(${level.stride}·x, ${level.stride}·y) to the box's left, top, right and bottom edges. Drawn as arrows for the ${passing.length} peaks that reach ${percent(threshold)}.`,
      alt: passing.length
        ? passing.slice(0, 6).map((r) => `${labelOf(r.classId)} at (${r.pointX}, ${r.pointY}): left ${(r.pointX - r.x1).toFixed(1)}, top ${(r.pointY - r.y1).toFixed(1)}, right ${(r.x2 - r.pointX).toFixed(1)}, bottom ${(r.y2 - r.pointY).toFixed(1)} px`).join('; ')
        : 'No peak reaches the threshold.',
      picture: { kind: 'candidates', rows: passing, arrows: true, threshold },
    });
  } else if (family === 'yolo-face') {
    yoloFaceSteps();
  } else if (family === 'ultralytics') {
    ultralyticsSteps();
  } else {
    // NanoDet: three levels, every (cell, class) a candidate, then class-aware NMS.
    steps.push(
      levelsStep(
        (perLevel) =>
          `The model looks at the input at ${levels.length} scales: grids of ${levels.map((l) => `${l.width} × ${l.height}`).join(', ')} cells ` +
          `(a cell covers ${levels.map((l) => l.stride).join(', ')} px). Small objects are found on the fine grid, large ones on the coarse grid. ` +
          `Shown: each cell's best class score. Candidates at or above ${percent(threshold)} per level: ${perLevel.join(', ')}.`,
      ),
    );
    steps.push({
      id: 'candidates',
      title: `${rows.length} candidates from all levels`,
      caption:
        `Every class of every cell is a candidate; the decoder keeps the ${rows.length} best over the three levels, each with a box from its cell's four distance distributions ` +
        `(click a cell for its 4 × ${descriptor?.regression?.kind === 'distribution' ? descriptor.regression.bins : '?'} bins). ${passing.length} of them reach ${percent(threshold)} (drawn).`,
      alt: `${passing.length} candidate boxes at or above ${percent(threshold)}: ${passing.slice(0, 6).map((r) => `${labelOf(r.classId)} ${percent(r.score)} (stride ${levels[r.level]?.stride})`).join('; ')}${passing.length > 6 ? '; …' : ''}.`,
      picture: { kind: 'candidates', rows: passing, arrows: false, threshold },
    });
  }

  if (trace.nms) {
    const nmsSteps = trace.nms.steps.map((step) => ({
      row: rows[step.candidate]!,
      suppressedBy: step.suppressedBy === null ? null : rows[step.suppressedBy]!,
      iou: step.iou,
    }));
    const dropped = nmsSteps.filter((s) => s.suppressedBy);
    steps.push({
      id: 'nms',
      title: 'Non-maximum suppression, box by box',
      caption:
        (nmsAfterThreshold ? `Several anchors and neighbouring cells often find the same object. Going down the ${plural(nmsSteps.length, 'box', 'boxes')} above the threshold from the best score ` : 'Going down the candidates from the best score, ') +
        `a box is kept unless a box already kept, of the same class, overlaps it by more than IoU ${trace.nms.iouThreshold} (intersection over union` +
        `${nmsAfterThreshold ? ', measured on the boxes in frame pixels' : ''}). ${nmsSteps.length - dropped.length} kept, ${dropped.length} suppressed.`,
      alt: nmsSteps.slice(0, 10).map((s) => (s.suppressedBy ? `#${s.row.rank + 1} ${labelOf(s.row.classId)} suppressed by #${s.suppressedBy.rank + 1} (IoU ${s.iou.toFixed(2)})` : `#${s.row.rank + 1} ${labelOf(s.row.classId)} kept`)).join('; ') + (nmsSteps.length > 10 ? '; …' : ''),
      picture: { kind: 'nms', rows, steps: nmsSteps },
    });
  } else if (family !== 'yolo-face') {
    steps.push({
      id: 'threshold',
      title: `The score threshold ${percent(threshold)}`,
      caption: `Of the ${rows.length} candidates, ${passing.length} score at least ${percent(threshold)} and become boxes; the other ${rows.length - passing.length} are dropped.`,
      alt: `${passing.length} kept, ${rows.length - passing.length} dropped below ${percent(threshold)}.`,
      picture: { kind: 'candidates', rows, arrows: false, threshold },
    });
  }
  steps.push({
    id: 'boxes',
    title: 'Boxes on the frame',
    caption:
      `The boxes are mapped back from the input to the frame: x = (x_input − ${letterbox.padX}) / ${letterbox.scaleX.toFixed(3)}, y = (y_input − ${letterbox.padY}) / ${letterbox.scaleY.toFixed(3)}, ` +
      `and clipped to it. ${detections.length === 1 ? 'This box is' : `These ${plural(detections.length, 'box', 'boxes')} are`} exactly what detect() returns for this frame.`,
    alt: detections.length
      ? detections.map((d) => `${d.label} ${percent(d.score)} at x ${Math.round(d.x)}, y ${Math.round(d.y)}, ${Math.round(d.width)} × ${Math.round(d.height)}`).join('; ')
      : 'No box.',
    picture: { kind: 'boxes', detections },
  });

  const cell = (levelIndex: number, x: number, y: number): CellExplanation => {
    const level = levels[levelIndex];
    if (!level || !Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= level.width || y >= level.height) {
      throw new LoupeError('bad-option', `No cell (${x}, ${y}) on level ${levelIndex} of '${model}'.`);
    }
    const index = y * level.width + x;
    const scores = reader.scores(levelIndex, index).slice();
    let bestClass = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[bestClass]!) bestClass = c;
    const regressionValues = reader.regression(levelIndex, index).slice();
    const anchors = anchorsOf(levelIndex, x, y);
    let bestAnchor = 0;
    if (anchors) for (const reading of anchors) if (reading.score > anchors[bestAnchor]!.score) bestAnchor = reading.anchor;
    // Ultralytics heads' distances are read back from their decoded boxes: plain ltrb.
    const spec = family === 'ultralytics' ? ({ kind: 'ltrb' } as const) : descriptor?.regression;
    const regression = spec ? describeRegression(spec, regressionValues, { stride: level.stride, anchor: bestAnchor }) : null;
    const here = rows.filter((row) => row.level === levelIndex && row.cellX === x && row.cellY === y);
    const offset = level.cellOrigin === 'centre' ? 0.5 : 0;
    const explained: CellExplanation = {
      level: levelIndex,
      stride: level.stride,
      x,
      y,
      pointX: (x + offset) * level.stride,
      pointY: (y + offset) * level.stride,
      scores,
      bestClass,
      regressionValues,
      regression,
      anchors,
      bestAnchor,
      candidates: here,
      verdict: '',
    };
    explained.verdict = verdictOf(explained);
    return explained;
  };

  /** Why the cell's best class became a box or not. */
  const verdictOf = (at: CellExplanation): string => {
    const score = at.scores[at.bestClass]!;
    const name = `'${labelOf(at.bestClass)}'${at.anchors ? ` (anchor ${at.bestAnchor})` : ''} (${percent(score)})`;
    const candidate = at.candidates.find((row) => row.classId === at.bestClass && row.anchor === at.bestAnchor);
    if (family === 'centernet') {
      const level = levels[0]!;
      const { values: heat } = trace.outputs[0]!;
      const { classes } = reader;
      const suppressor = peakSuppressor(heat, level.width, level.height, classes, (at.y * level.width + at.x) * classes + at.bestClass);
      if (suppressor >= 0) {
        const cellIndex = Math.floor(suppressor / classes);
        return `Dropped by the peak test: its neighbour (${cellIndex % level.width}, ${Math.floor(cellIndex / level.width)}) scores ${percent(heat[suppressor]!)} for ${name.split(' ')[0]}, more than ${percent(score)}.`;
      }
    }
    if (!candidate) {
      const last = rows.at(-1);
      return `Not among the ${rows.length} candidates: ${name} is below the last one kept (${percent(last?.score ?? 0)}).`;
    }
    const rank = `candidate #${candidate.rank + 1} of ${rows.length}`;
    if (candidate.score < threshold) return `${name} is ${rank}, but below the score threshold ${percent(threshold)}: dropped.`;
    const step = trace.nms?.steps.find((s) => s.candidate === candidate.rank);
    if (step && step.suppressedBy !== null) {
      const by = rows[step.suppressedBy]!;
      const byAnchor = at.anchors ? ` anchor ${by.anchor}` : '';
      return `${name} is ${rank}; suppressed by #${by.rank + 1} (${labelOf(by.classId)} ${percent(by.score)}, cell (${by.cellX}, ${by.cellY})${byAnchor} at stride ${levels[by.level]?.stride}) with IoU ${step.iou.toFixed(2)} > ${trace.nms!.iouThreshold}.`;
    }
    const detection = detections.findIndex((d) => d.cell.level === at.level && d.cell.x === at.x && d.cell.y === at.y && d.cell.anchor === at.bestAnchor && d.classId === at.bestClass);
    if (detection >= 0) return `${name} is ${rank} and kept: box ${detection + 1} of ${detections.length}.`;
    return `${name} is ${rank} and passes the threshold, but its box was clipped away or fell past the ${trace.maxDetections} kept.`;
  };

  return { model, labels, letterbox, levels, trace, detections, steps, cell, pyramid: null };
}

/**
 * An Ultralytics export is explained cell by cell only when its one output is a grid of columns, layout
 * A ([1, 4 + nc, N]) or A' ([1, N, 4 + nc]) with one box per cell; NMS rows (B, C, D) come from no cell
 * and layout E's three anchors per cell are not explained yet. Throws `LoupeError('bad-option')` saying which.
 */
function checkUltralyticsGrid(model: string, trace: DecodeTrace, levels: readonly OutputLevel[]): void {
  const columns = levels.reduce((sum, level) => sum + level.width * level.height * level.anchors, 0);
  const output = trace.outputs[0];
  const shape = output ? `[${output.shape.join(', ')}]` : 'none';
  const grid = levels.length > 0 && levels.every((level) => level.anchors === 1) && trace.outputs.length === 1 && (output!.shape.at(-1) === columns || output!.shape.at(-2) === columns);
  if (!grid) {
    throw new LoupeError(
      'bad-option',
      `No step-by-step explanation for '${model}': its output ${shape} is not a grid of cells with one box each ([1, 4+nc, N] or [1, N, 4+nc], ` +
        `what \`yolo export format=tfjs\` gives). NMS rows come from no cell, and YOLOv5's anchored layout is not explained yet.`,
    );
  }
}

/** "(x, y), (x, y)" for flat cell indices of a grid `width` wide. */
function listCells(cells: readonly number[], width: number): string {
  return cells.map((cell) => `(${cell % width}, ${Math.floor(cell / width)})`).join(', ') || 'none';
}
