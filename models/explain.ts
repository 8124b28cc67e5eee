/**
 * The explainer's data: one frame's decode (`detect(source, { trace: true })`, the decode `detect()`
 * runs, on the model's real outputs) cut into steps with plain-language captions, and the raw values of
 * any cell. Plain data, no Lit and no drawing: `<loupe-explain>` shows it.
 *
 * Every number comes from the trace: the outputs copied off the backend, the decoder's candidates, the
 * NMS steps, the kept and final rows. The one computation made here that the decoder does not hand
 * out is CenterNet's peak test over a whole class map, and it is the decoder's own test
 * (`peakSuppressor`, which the JS decode calls for every value it keeps).
 */
import { LoupeError } from '../src/errors.js';
import { ROW_WIDTH } from '../src/model-descriptor.js';
import { rowAt, type RowBox } from '../src/pipeline.js';
import type { DecodeTrace, Detection, DetectionResult, Detector, FrameSource, LetterboxTransform, OutputLevel } from '../src/types.js';
import { peakSuppressor } from './centernet/decoder.js';
import { getModelDescriptor } from './registry.js';
import { describeRegression, type RegressionReading } from './regression.js';

/** Models with a step-by-step explanation. */
export const EXPLAINED_MODELS = ['centernet', 'nanodet'] as const;
export type ExplainedModel = (typeof EXPLAINED_MODELS)[number];

/** Where a model's outputs hold level `level`'s per-cell class scores and regression (cell-major rows). */
const CELL_OUTPUTS: Record<ExplainedModel, (level: number) => { scores: number; regression: number }> = {
  // tower_0/keypoints [1, H, W, 80], tower_0/wh [1, H, W, 4].
  centernet: () => ({ scores: 0, regression: 1 }),
  // Per level l: class scores [1, N_l, 80] at output l, GFL logits [1, N_l, 44] at output 3 + l.
  nanodet: (level) => ({ scores: level, regression: 3 + level }),
};

/** A candidate row of the trace, with its place in the decode. */
export interface ExplainedRow extends RowBox {
  /** Rank among the decoder's candidates (0 = best score). */
  rank: number;
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
  | { kind: 'map'; level: number; width: number; height: number; values: Float32Array; classId: number | null }
  | { kind: 'levels'; maps: { level: number; width: number; height: number; values: Float32Array }[] }
  | { kind: 'peaks'; level: number; width: number; height: number; values: Float32Array; classId: number; peaks: number[]; suppressed: number[] }
  | { kind: 'candidates'; rows: ExplainedRow[]; arrows: boolean; threshold: number | null }
  | { kind: 'nms'; rows: ExplainedRow[]; steps: { row: ExplainedRow; suppressedBy: ExplainedRow | null; iou: number }[] }
  | { kind: 'boxes'; detections: Detection[] };

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
  /** The raw regression channels at the cell and what they mean (`models/regression.ts`). */
  regressionValues: Float32Array;
  regression: RegressionReading | null;
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
  /** What `detect()` returned for this frame (the last step's boxes). */
  detections: Detection[];
  steps: ExplainStep[];
  /** The cell's raw values and fate; throws `LoupeError('bad-option')` for a cell outside the level. */
  cell(level: number, x: number, y: number): CellExplanation;
}

const percent = (value: number): string => value.toFixed(2);
const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/**
 * Runs `detector` once on `source` with the trace on, and explains that decode. The caller keeps the
 * detector; nothing is left to dispose (the trace is plain arrays). Throws `LoupeError('bad-option')`
 * for a model without an explanation, or the `detect()` error.
 */
export async function explainFrame(detector: Detector, source: FrameSource): Promise<Explanation> {
  if (!isExplained(detector.model)) {
    throw new LoupeError('bad-option', `No step-by-step explanation for model '${detector.model}' yet; explained: ${EXPLAINED_MODELS.join(', ')}.`);
  }
  const result = await detector.detect(source, { trace: true, smallObjects: false });
  result.dispose();
  return explainResult(result, detector.labels);
}

export function isExplained(model: string): model is ExplainedModel {
  return (EXPLAINED_MODELS as readonly string[]).includes(model);
}

/** The explanation of a traced result (`detect(source, { trace: true })`). */
export function explainResult(result: DetectionResult, labels: readonly string[]): Explanation {
  const { trace, model, letterbox, levels, detections } = result;
  if (!trace) throw new LoupeError('bad-option', 'This result has no trace: detect(source, { trace: true }).');
  if (!isExplained(model)) throw new LoupeError('bad-option', `No step-by-step explanation for model '${model}' yet.`);
  const descriptor = getModelDescriptor(model);
  const outputsOf = CELL_OUTPUTS[model];
  const labelOf = (classId: number): string => labels[classId] ?? `class ${classId}`;

  const rows: ExplainedRow[] = [];
  for (let at = 0, rank = 0; at + ROW_WIDTH <= trace.candidates.length; at += ROW_WIDTH, rank++) {
    const row = rowAt(trace.candidates, at);
    const level = levels[row.level] ?? levels[0]!;
    const cell = Math.floor(row.position / level.anchors);
    const cellX = cell % level.width;
    const cellY = Math.floor(cell / level.width);
    const offset = level.cellOrigin === 'centre' ? 0.5 : 0;
    rows.push({ ...row, rank, cellX, cellY, pointX: (cellX + offset) * level.stride, pointY: (cellY + offset) * level.stride });
  }
  const threshold = trace.scoreThreshold;
  const passing = rows.filter((row) => row.score >= threshold);

  /** Level `level`'s class scores as a [H·W, C] view, from the copied output. */
  const scoresOf = (level: number): { values: Float32Array; classes: number } => {
    const output = trace.outputs[outputsOf(level).scores]!;
    const classes = output.shape.at(-1) ?? 1;
    return { values: output.values, classes };
  };
  /** Per cell of `level`: the best class score (classId null) or one class's. */
  const cellMap = (level: number, classId: number | null): Float32Array => {
    const { values, classes } = scoresOf(level);
    const grid = levels[level]!;
    const out = new Float32Array(grid.width * grid.height);
    for (let cell = 0; cell < out.length; cell++) {
      if (classId !== null) out[cell] = values[cell * classes + classId]!;
      else {
        let best = -Infinity;
        for (let c = 0; c < classes; c++) best = Math.max(best, values[cell * classes + c]!);
        out[cell] = best;
      }
    }
    return out;
  };

  const [inputWidth, inputHeight] = [letterbox.inputWidth, letterbox.inputHeight];
  const steps: ExplainStep[] = [
    {
      id: 'input',
      title: 'The letterboxed input',
      caption:
        `The ${letterbox.sourceWidth} × ${letterbox.sourceHeight} frame is scaled by ${letterbox.scaleX.toFixed(3)} to ` +
        `${letterbox.contentWidth} × ${letterbox.contentHeight} and centred in the model's ${inputWidth} × ${inputHeight} input, ` +
        `with ${letterbox.padX} px of border left and right and ${letterbox.padY} px top and bottom, so nothing is stretched.`,
      alt: `The frame scaled to ${letterbox.contentWidth} × ${letterbox.contentHeight} inside a ${inputWidth} × ${inputHeight} square, borders ${letterbox.padX} px left/right, ${letterbox.padY} px top/bottom.`,
      picture: { kind: 'input' },
    },
  ];
  const best = passing[0] ?? rows[0];
  const focusClass = best?.classId ?? 0;

  if (model === 'centernet') {
    const level = levels[0]!;
    const { values: heat, classes } = scoresOf(0);
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
  } else {
    // NanoDet: three levels, every (cell, class) a candidate, then class-aware NMS.
    const maps = levels.map((level, index) => ({ level: index, width: level.width, height: level.height, values: cellMap(index, null) }));
    const perLevel = levels.map((_, index) => passing.filter((row) => row.level === index).length);
    steps.push({
      id: 'levels',
      title: `${levels.length} levels at strides ${levels.map((l) => l.stride).join(', ')}`,
      caption:
        `The model looks at the input at ${levels.length} scales: grids of ${levels.map((l) => `${l.width} × ${l.height}`).join(', ')} cells ` +
        `(a cell covers ${levels.map((l) => l.stride).join(', ')} px). Small objects are found on the fine grid, large ones on the coarse grid. ` +
        `Shown: each cell's best class score. Candidates at or above ${percent(threshold)} per level: ${perLevel.join(', ')}.`,
      alt: maps.map((m, i) => `stride ${levels[i]!.stride}: ${m.width} × ${m.height} cells, ${perLevel[i]} candidates ≥ ${percent(threshold)}`).join('; '),
      picture: { kind: 'levels', maps },
    });
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
        `Going down the candidates from the best score, a box is kept unless a box already kept, of the same class, overlaps it by more than ` +
        `IoU ${trace.nms.iouThreshold} (intersection over union). ${nmsSteps.length - dropped.length} kept, ${dropped.length} suppressed.`,
      alt: nmsSteps.slice(0, 10).map((s) => (s.suppressedBy ? `#${s.row.rank + 1} ${labelOf(s.row.classId)} suppressed by #${s.suppressedBy.rank + 1} (IoU ${s.iou.toFixed(2)})` : `#${s.row.rank + 1} ${labelOf(s.row.classId)} kept`)).join('; ') + (nmsSteps.length > 10 ? '; …' : ''),
      picture: { kind: 'nms', rows, steps: nmsSteps },
    });
  } else {
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
      `and clipped to it. These ${plural(detections.length, 'box', 'boxes')} are exactly what detect() returns for this frame.`,
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
    const { values, classes } = scoresOf(levelIndex);
    const scores = values.slice(index * classes, (index + 1) * classes);
    let bestClass = 0;
    for (let c = 1; c < classes; c++) if (scores[c]! > scores[bestClass]!) bestClass = c;
    const regressionOutput = trace.outputs[outputsOf(levelIndex).regression]!;
    const channels = regressionOutput.shape.at(-1) ?? 0;
    const regressionValues = regressionOutput.values.slice(index * channels, (index + 1) * channels);
    const regression = descriptor?.regression ? describeRegression(descriptor.regression, regressionValues, { stride: level.stride, anchor: 0 }) : null;
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
      candidates: here,
      verdict: '',
    };
    explained.verdict = verdictOf(explained);
    return explained;
  };

  /** Why the cell's best class became a box or not. */
  const verdictOf = (at: CellExplanation): string => {
    const score = at.scores[at.bestClass]!;
    const name = `'${labelOf(at.bestClass)}' (${percent(score)})`;
    const candidate = at.candidates.find((row) => row.classId === at.bestClass);
    if (model === 'centernet') {
      const level = levels[0]!;
      const { values: heat, classes } = scoresOf(0);
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
      return `${name} is ${rank}; suppressed by #${by.rank + 1} (${labelOf(by.classId)} ${percent(by.score)}, cell (${by.cellX}, ${by.cellY}) at stride ${levels[by.level]?.stride}) with IoU ${step.iou.toFixed(2)} > ${trace.nms!.iouThreshold}.`;
    }
    const detection = detections.findIndex((d) => d.cell.level === at.level && d.cell.x === at.x && d.cell.y === at.y && d.classId === at.bestClass);
    if (detection >= 0) return `${name} is ${rank} and kept: box ${detection + 1} of ${detections.length}.`;
    return `${name} is ${rank} and passes the threshold, but its box was clipped away or fell past the ${trace.maxDetections} kept.`;
  };

  return { model, labels, letterbox, levels, trace, detections, steps, cell };
}

/** "(x, y), (x, y)" for flat cell indices of a grid `width` wide. */
function listCells(cells: readonly number[], width: number): string {
  return cells.map((cell) => `(${cell % width}, ${Math.floor(cell / width)})`).join(', ') || 'none';
}
