/**
 * Drawing of `<loupe-explain>`'s step pictures on a 2D canvas: the frozen frame letterboxed as the model
 * saw it, a score map in the overlay's colour map, peak marks, candidate points with their regression
 * arrows, NMS links, the final boxes, and the two pyramids side by side. Pure functions of (canvas, frame,
 * step picture); all the numbers come from the explanation (`models/explain.ts`). Picture space is
 * model-input pixels, except the boxes' and the pyramids' steps (the frame's own pixels, per panel).
 */
import type { Detection, ExplainedRow, Explanation, LetterboxTransform, OutputLevel, StepPicture } from '../../models/index.js';
import { colormapLut, DEFAULT_COLORMAP } from '../../src/render/colormap.js';
import { classColor, levelColor, SIDE_COLORS } from '../internal/palette.js';

/** A panel of the picture: where level `level`'s input-space drawing sits (the `levels` step has one per level). */
export interface PicturePanel {
  level: number | null;
  x: number;
  width: number;
}

/** The picture's canvas size and panels for `picture`, in canvas pixels. */
export function pictureLayout(explanation: Explanation, picture: StepPicture): { width: number; height: number; panels: PicturePanel[] } {
  const { letterbox } = explanation;
  if (picture.kind === 'boxes') return { width: letterbox.sourceWidth, height: letterbox.sourceHeight, panels: [{ level: null, x: 0, width: letterbox.sourceWidth }] };
  if (picture.kind === 'pyramid') {
    // The frame twice: the single pass's boxes (left), the image pyramid's with its tiles (right).
    const panels = [0, 1].map((i) => ({ level: null, x: i * (letterbox.sourceWidth + GAP), width: letterbox.sourceWidth }));
    return { width: 2 * letterbox.sourceWidth + GAP, height: letterbox.sourceHeight, panels };
  }
  if (picture.kind === 'levels') {
    const panels = picture.maps.map((map, i) => ({ level: map.level, x: i * (letterbox.inputWidth + GAP), width: letterbox.inputWidth }));
    return { width: panels.length * letterbox.inputWidth + (panels.length - 1) * GAP, height: letterbox.inputHeight, panels };
  }
  const level = picture.kind === 'map' || picture.kind === 'peaks' || picture.kind === 'anchors' || picture.kind === 'responsible' ? picture.level : null;
  return { width: letterbox.inputWidth, height: letterbox.inputHeight, panels: [{ level, x: 0, width: letterbox.inputWidth }] };
}

const GAP = 16;

/** Draws `picture` of `explanation` into `canvas` (resized to the picture), over the frozen `frame`. */
export function drawPicture(canvas: HTMLCanvasElement, frame: CanvasImageSource, explanation: Explanation, picture: StepPicture, labelOf: (classId: number) => string): void {
  const layout = pictureLayout(explanation, picture);
  canvas.width = layout.width;
  canvas.height = layout.height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const { letterbox, levels } = explanation;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (picture.kind === 'pyramid') {
    drawPyramids(context, frame, letterbox, layout.panels, picture);
    return;
  }
  if (picture.kind === 'boxes') {
    context.drawImage(frame, 0, 0, letterbox.sourceWidth, letterbox.sourceHeight);
    for (const detection of picture.detections) {
      const color = classColor(detection.classId);
      strokeBox(context, detection.x, detection.y, detection.x + detection.width, detection.y + detection.height, color, 2);
      label(context, `${detection.label} ${Math.round(detection.score * 100)}%`, detection.x, detection.y, color);
    }
    return;
  }
  for (const panel of layout.panels) {
    context.save();
    context.translate(panel.x, 0);
    drawInput(context, frame, letterbox);
    context.restore();
  }
  switch (picture.kind) {
    case 'input':
      context.strokeStyle = '#38bdf8';
      context.setLineDash([6, 4]);
      context.strokeRect(letterbox.padX + 0.5, letterbox.padY + 0.5, letterbox.contentWidth - 1, letterbox.contentHeight - 1);
      context.setLineDash([]);
      return;
    case 'map':
      drawMap(context, picture.values, picture.width, picture.height, levels[picture.level]!, 0);
      if (picture.grid) drawGrid(context, levels[picture.level]!);
      return;
    case 'anchors': {
      const level = levels[picture.level]!;
      drawGrid(context, level);
      const [cx, cy] = cellPoint(level, picture.cellX, picture.cellY);
      strokeBox(context, picture.cellX * level.stride, picture.cellY * level.stride, (picture.cellX + 1) * level.stride, (picture.cellY + 1) * level.stride, '#facc15', 2);
      context.setLineDash([5, 4]);
      for (const anchor of picture.anchors) {
        strokeBox(context, cx - anchor.width / 2, cy - anchor.height / 2, cx + anchor.width / 2, cy + anchor.height / 2, levelColor(anchor.anchor), 1.5);
        label(context, `anchor ${anchor.anchor}`, cx - anchor.width / 2, cy - anchor.height / 2, levelColor(anchor.anchor));
      }
      context.setLineDash([]);
      if (picture.row) {
        const row = picture.row;
        strokeBox(context, row.x1, row.y1, row.x2, row.y2, classColor(row.classId), 2.5);
        dot(context, (row.x1 + row.x2) / 2, (row.y1 + row.y2) / 2, 3.5, classColor(row.classId));
      }
      return;
    }
    case 'responsible': {
      const level = levels[picture.level]!;
      drawGrid(context, level);
      for (const row of [...picture.rows].reverse()) {
        const color = classColor(row.classId);
        context.fillStyle = 'rgba(250,204,21,0.25)';
        context.fillRect(row.cellX * level.stride, row.cellY * level.stride, level.stride, level.stride);
        strokeBox(context, row.cellX * level.stride, row.cellY * level.stride, (row.cellX + 1) * level.stride, (row.cellY + 1) * level.stride, '#facc15', 1.5);
        const anchor = picture.anchors[row.anchor];
        const mx = (row.x1 + row.x2) / 2;
        const my = (row.y1 + row.y2) / 2;
        if (anchor) {
          context.setLineDash([5, 4]);
          strokeBox(context, mx - anchor.width / 2, my - anchor.height / 2, mx + anchor.width / 2, my + anchor.height / 2, levelColor(row.anchor), 1);
          context.setLineDash([]);
        }
        strokeBox(context, row.x1, row.y1, row.x2, row.y2, color, 1.5);
        dot(context, mx, my, 3, color);
      }
      return;
    }
    case 'levels':
      picture.maps.forEach((map, i) => {
        const panel = layout.panels[i]!;
        drawMap(context, map.values, map.width, map.height, levels[map.level]!, panel.x);
        label(context, map.label ?? `stride ${levels[map.level]!.stride}: ${map.width} × ${map.height}`, panel.x + 4, 4, levelColor(map.label ? i : map.level));
      });
      return;
    case 'peaks': {
      const level = levels[picture.level]!;
      drawMap(context, picture.values, picture.width, picture.height, level, 0);
      context.lineWidth = 1;
      context.strokeStyle = 'rgba(255,255,255,0.7)';
      for (const cell of picture.suppressed) {
        const [x, y] = cellPoint(level, cell % picture.width, Math.floor(cell / picture.width));
        context.beginPath();
        context.moveTo(x - 1.5, y - 1.5);
        context.lineTo(x + 1.5, y + 1.5);
        context.moveTo(x + 1.5, y - 1.5);
        context.lineTo(x - 1.5, y + 1.5);
        context.stroke();
      }
      context.lineWidth = 2;
      context.strokeStyle = '#4ade80';
      for (const cell of picture.peaks) {
        const [x, y] = cellPoint(level, cell % picture.width, Math.floor(cell / picture.width));
        context.beginPath();
        context.arc(x, y, 5, 0, 2 * Math.PI);
        context.stroke();
      }
      return;
    }
    case 'candidates':
      // Worst first, so the best sit on top.
      for (const row of [...picture.rows].reverse()) {
        const passes = picture.threshold === null || row.score >= picture.threshold;
        const color = passes ? classColor(row.classId) : 'rgba(160,160,160,0.6)';
        if (picture.arrows) drawArrows(context, row);
        if (picture.threshold !== null && passes) strokeBox(context, row.x1, row.y1, row.x2, row.y2, color, 1.5);
        dot(context, row.pointX, row.pointY, passes ? 3.5 : 2, color);
      }
      if (picture.arrows || picture.threshold !== null) {
        for (const row of picture.rows) if (picture.threshold === null || row.score >= picture.threshold) label(context, `${labelOf(row.classId)} ${row.score.toFixed(2)}`, row.x1, row.y1, classColor(row.classId));
      }
      return;
    case 'nms':
      for (const step of picture.steps) {
        const { row, suppressedBy } = step;
        if (suppressedBy) {
          context.setLineDash([4, 3]);
          strokeBox(context, row.x1, row.y1, row.x2, row.y2, 'rgba(248,113,113,0.8)', 1);
          context.setLineDash([]);
          context.strokeStyle = 'rgba(248,113,113,0.8)';
          context.beginPath();
          context.moveTo((row.x1 + row.x2) / 2, (row.y1 + row.y2) / 2);
          context.lineTo((suppressedBy.x1 + suppressedBy.x2) / 2, (suppressedBy.y1 + suppressedBy.y2) / 2);
          context.stroke();
        }
      }
      for (const step of picture.steps) {
        if (step.suppressedBy) continue;
        strokeBox(context, step.row.x1, step.row.y1, step.row.x2, step.row.y2, classColor(step.row.classId), 2);
        label(context, `#${step.row.rank + 1} ${labelOf(step.row.classId)} ${step.row.score.toFixed(2)}`, step.row.x1, step.row.y1, classColor(step.row.classId));
      }
      return;
  }
}

/**
 * The pyramid step: the frame twice. Left, the single pass's boxes coloured by the level that found them
 * ("s8"); right, the image pyramid's executed tiles (dashed, coloured by scale) and its boxes coloured by
 * scale, tagged "×2 s8". Small boxes (under `smallArea` px²) get a thicker outline.
 */
function drawPyramids(context: CanvasRenderingContext2D, frame: CanvasImageSource, letterbox: LetterboxTransform, panels: readonly PicturePanel[], picture: Extract<StepPicture, { kind: 'pyramid' }>): void {
  const { sourceWidth: width, sourceHeight: height } = letterbox;
  const scales = [...new Set(picture.tiles.map((t) => t.scale))].sort((a, b) => a - b);
  const scaleColor = (scale: number): string => levelColor(Math.max(0, scales.indexOf(scale)));
  const box = (d: Detection, color: string, tag: string): void => {
    strokeBox(context, d.x, d.y, d.x + d.width, d.y + d.height, color, d.width * d.height < picture.smallArea ? 3 : 1.5);
    label(context, tag, d.x, d.y, color);
  };
  const [left, right] = panels as [PicturePanel, PicturePanel];
  context.save();
  context.translate(left.x, 0);
  context.drawImage(frame, 0, 0, width, height);
  for (const d of picture.fpn) box(d, levelColor(d.cell.level), `s${d.cell.stride}`);
  label(context, 'feature pyramid: one pass', 4, 18, '#e5e7eb');
  context.restore();
  context.save();
  context.translate(right.x, 0);
  context.drawImage(frame, 0, 0, width, height);
  context.setLineDash([6, 4]);
  for (const tile of picture.tiles) if (tile.index > 0 && tile.executed) strokeBox(context, tile.rect.x + 1, tile.rect.y + 1, tile.rect.x + tile.rect.width - 1, tile.rect.y + tile.rect.height - 1, scaleColor(tile.scale), 1);
  context.setLineDash([]);
  for (const d of picture.pyramid) box(d, scaleColor(d.tile?.scale ?? 1), `×${d.tile?.scale ?? 1} s${d.cell.stride}`);
  label(context, 'image pyramid: whole frame + tiles', 4, 18, '#e5e7eb');
  context.restore();
}

/** The frame as the model saw it: black border, content scaled into the letterbox. */
function drawInput(context: CanvasRenderingContext2D, frame: CanvasImageSource, letterbox: LetterboxTransform): void {
  context.fillStyle = '#000';
  context.fillRect(0, 0, letterbox.inputWidth, letterbox.inputHeight);
  context.drawImage(frame, letterbox.padX, letterbox.padY, letterbox.contentWidth, letterbox.contentHeight);
  // Dimmed, so the model's maps and marks read over it.
  context.fillStyle = 'rgba(0,0,0,0.45)';
  context.fillRect(0, 0, letterbox.inputWidth, letterbox.inputHeight);
}

/** A cell's prior point in input pixels. */
export function cellPoint(level: OutputLevel, x: number, y: number): [number, number] {
  const offset = level.cellOrigin === 'centre' ? 0.5 : 0;
  return [(x + offset) * level.stride, (y + offset) * level.stride];
}

/** The cell of `level` an input-space point falls in (the nearest prior point's cell). */
export function cellAt(level: OutputLevel, inputX: number, inputY: number): { x: number; y: number } {
  const toCell = (v: number, size: number): number =>
    Math.min(size - 1, Math.max(0, level.cellOrigin === 'centre' ? Math.floor(v / level.stride) : Math.round(v / level.stride)));
  return { x: toCell(inputX, level.width), y: toCell(inputY, level.height) };
}

/** A score map [H·W] in the overlay's colour map, each cell a stride-sized square around its point. */
function drawMap(context: CanvasRenderingContext2D, values: Float32Array, width: number, height: number, level: OutputLevel, offsetX: number): void {
  const lut = colormapLut(DEFAULT_COLORMAP, false);
  const image = new ImageData(width, height);
  for (let i = 0; i < values.length; i++) {
    const at = Math.round(Math.min(1, Math.max(0, values[i]!)) * 255) * 4;
    image.data.set(lut.subarray(at, at + 4), i * 4);
  }
  const cells = document.createElement('canvas');
  cells.width = width;
  cells.height = height;
  cells.getContext('2d')?.putImageData(image, 0, 0);
  const shift = level.cellOrigin === 'centre' ? 0 : -level.stride / 2;
  context.imageSmoothingEnabled = false;
  context.drawImage(cells, offsetX + shift, shift, width * level.stride, height * level.stride);
  context.imageSmoothingEnabled = true;
}

/** The level's cell borders (each cell the square [s·x, s·(x + 1)) for centre-origin grids). */
function drawGrid(context: CanvasRenderingContext2D, level: OutputLevel): void {
  const shift = level.cellOrigin === 'centre' ? 0 : -level.stride / 2;
  context.strokeStyle = 'rgba(255,255,255,0.35)';
  context.lineWidth = 1;
  context.beginPath();
  for (let x = 0; x <= level.width; x++) {
    context.moveTo(x * level.stride + shift + 0.5, 0);
    context.lineTo(x * level.stride + shift + 0.5, level.height * level.stride);
  }
  for (let y = 0; y <= level.height; y++) {
    context.moveTo(0, y * level.stride + shift + 0.5);
    context.lineTo(level.width * level.stride, y * level.stride + shift + 0.5);
  }
  context.stroke();
}

/** Arrows from a candidate's point to its box edges, in the four sides' colours (left, top, right, bottom). */
function drawArrows(context: CanvasRenderingContext2D, row: ExplainedRow): void {
  const ends: [number, number][] = [
    [row.x1, row.pointY],
    [row.pointX, row.y1],
    [row.x2, row.pointY],
    [row.pointX, row.y2],
  ];
  ends.forEach(([x, y], side) => {
    context.strokeStyle = SIDE_COLORS[side]!;
    context.lineWidth = 1.5;
    context.beginPath();
    context.moveTo(row.pointX, row.pointY);
    context.lineTo(x, y);
    context.stroke();
  });
}

function strokeBox(context: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number, color: string, width: number): void {
  context.strokeStyle = color;
  context.lineWidth = width;
  context.strokeRect(x1, y1, x2 - x1, y2 - y1);
}

function dot(context: CanvasRenderingContext2D, x: number, y: number, radius: number, color: string): void {
  context.fillStyle = color;
  context.beginPath();
  context.arc(x, y, radius, 0, 2 * Math.PI);
  context.fill();
}

function label(context: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
  context.font = '11px system-ui, sans-serif';
  const width = context.measureText(text).width + 6;
  const top = Math.max(0, y - 15);
  context.fillStyle = 'rgba(0,0,0,0.7)';
  context.fillRect(x, top, width, 15);
  context.fillStyle = color;
  context.fillText(text, x + 3, top + 11);
}
