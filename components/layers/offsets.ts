/**
 * The `offsets` layer: each detection's cell, its prior point and the regression from it: the four
 * distances to the box edges for anchor-free heads (CenterNet, NanoDet, YOLOv8), the predicted centre
 * offset inside the cell, on the S×S grid, for anchor-based ones (YOLOv2). Hovering or clicking a box
 * shows the values at its cell as the model declares them (`RegressionSpec`, read by models/regression.ts):
 * NanoDet's 4 × 11 bin distributions as bar charts, YOLOv2's σ(tx), σ(ty), tw, th, CenterNet's distances.
 */
import { html, nothing, svg } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { describeRegression, type RegressionReading } from '../../models/regression.js';
import type { Detection } from '../../src/types.js';
import type { Size } from '../internal/fit.js';
import { SIDE_COLORS, levelColor } from '../internal/palette.js';
import { defineLayer, type Inspection, type ModelFacts, type OverlayFrame } from './layer.js';

export const offsetsLayer = defineLayer({
  name: 'offsets',
  label: 'Offsets',
  summary:
    "each detection's cell, its prior point and the regression from it: the four distances (left, top, right, bottom) to the box edges for anchor-free heads (CenterNet, NanoDet, YOLOv8), the predicted centre offset inside the cell, on the S×S grid, for anchor-based ones (YOLOv2). Hovering or clicking a box shows the values at its cell as the model declares them: NanoDet's 4 × 11 bin distributions as bar charts, YOLOv2's σ(tx), σ(ty), tw, th, CenterNet's distances",
  parts: [
    { name: 'offsets', description: 'The `offsets` layer (an SVG in source pixels).' },
    { name: 'inspector', description: 'The values at the cell of the box under the pointer.' },
  ],
  maps: ['regression'],
  request: () => ({ regression: true }),
  inspect: { map: 'regression', read: readRegression },
  render: (context) => ({
    under: renderOffsets(context.frame, context.source),
    chrome: context.inspection ? renderInspector(context.inspection, context.frame) : nothing,
  }),
});

/** The values at a box's cell, as the model declares them; null when it declares nothing (raw values shown). */
export function readRegression(values: Float32Array, detection: Detection, model: ModelFacts): RegressionReading | null {
  return model.regression ? describeRegression(model.regression, values, detection.cell) : null;
}

/**
 * Per detection, in source pixels: the cell that produced it, its prior point, and the regression from
 * there — four distances to the edges (anchor-free) or the centre offset inside the cell (YOLOv2).
 */
function renderOffsets(frame: OverlayFrame, source: Size) {
  const { letterbox } = frame;
  const cellSize = (stride: number) => ({ width: stride / letterbox.scaleX, height: stride / letterbox.scaleY });
  // Anchor-based heads (YOLOv2): the whole S×S grid, so the responsible cells read as cells of it.
  const grid = frame.levels.find((level) => level.anchors > 1);
  const gridLines = grid
    ? [
        ...Array.from({ length: grid.width + 1 }, (_, i) => {
          const x = (i * grid.stride - letterbox.padX) / letterbox.scaleX;
          return svg`<line class="grid" x1=${x} x2=${x} y1=${-letterbox.padY / letterbox.scaleY} y2=${(grid.height * grid.stride - letterbox.padY) / letterbox.scaleY}></line>`;
        }),
        ...Array.from({ length: grid.height + 1 }, (_, i) => {
          const y = (i * grid.stride - letterbox.padY) / letterbox.scaleY;
          return svg`<line class="grid" y1=${y} y2=${y} x1=${-letterbox.padX / letterbox.scaleX} x2=${(grid.width * grid.stride - letterbox.padX) / letterbox.scaleX}></line>`;
        }),
      ]
    : [];
  return svg`
    <svg class="offsets" part="offsets" viewBox="0 0 ${source.width} ${source.height}" preserveAspectRatio="none" aria-hidden="true">
      ${gridLines}
      ${frame.detections.map((d) => {
        const { priorX, priorY, stride, level } = d.cell;
        // Rows without a cell (Ultralytics exports with NMS inside the graph: level −1) have nothing to show.
        if (!(stride > 0)) return nothing;
        const size = cellSize(stride);
        const anchored = (frame.levels[level]?.anchors ?? 1) > 1;
        // The cell's square is centred on its prior (CenterNet's point, or the cell centre). YOLOv2's
        // offset σ(tx), σ(ty) runs from the square's top-left corner to the predicted box centre.
        const cornerX = priorX - size.width / 2;
        const cornerY = priorY - size.height / 2;
        const right = d.x + d.width;
        const bottom = d.y + d.height;
        const vectors = anchored
          ? svg`<line class="vector" x1=${cornerX} y1=${cornerY} x2=${d.x + d.width / 2} y2=${d.y + d.height / 2} stroke=${SIDE_COLORS[2]}></line>`
          : svg`
              <line class="vector" x1=${priorX} y1=${priorY} x2=${d.x} y2=${priorY} stroke=${SIDE_COLORS[0]}></line>
              <line class="vector" x1=${priorX} y1=${priorY} x2=${priorX} y2=${d.y} stroke=${SIDE_COLORS[1]}></line>
              <line class="vector" x1=${priorX} y1=${priorY} x2=${right} y2=${priorY} stroke=${SIDE_COLORS[2]}></line>
              <line class="vector" x1=${priorX} y1=${priorY} x2=${priorX} y2=${bottom} stroke=${SIDE_COLORS[3]}></line>
            `;
        return svg`
          <g style="--c: ${levelColor(level)}">
            <rect class="cell" x=${cornerX} y=${cornerY} width=${size.width} height=${size.height}></rect>
            ${vectors}
            <circle class="prior" cx=${priorX} cy=${priorY} r=${Math.max(1.5, Math.min(size.width / 8, source.width / 220))}></circle>
          </g>
        `;
      })}
    </svg>
  `;
}

function renderInspector(inspection: Inspection, frame: OverlayFrame) {
  const { detection, values, reading } = inspection;
  const anchors = frame.levels[detection.cell.level]?.anchors ?? 1;
  const heading = html`<span class="title"
    >${detection.label} ${Math.round(detection.score * 100)}% · stride ${detection.cell.stride}, cell (${detection.cell.x}, ${detection.cell.y})${anchors > 1
      ? `, anchor ${detection.cell.anchor}`
      : ''}</span
  >`;
  const missing = inspection.missing ? html`<span class="missing">not detected in the latest frame: values from the last frame that had it</span>` : nothing;
  return html`<div class="inspector" part="inspector" role="status">${heading}${values ? renderReading(reading, values) : html`<span>reading…</span>`}${missing}</div>`;
}

function renderReading(reading: unknown, values: Float32Array) {
  if (reading instanceof Error) return html`<span class="error">${reading.message}</span>`;
  const known = reading as RegressionReading | null | undefined;
  switch (known?.kind) {
    case 'anchor-offsets':
      // YOLOv2: σ(tx), σ(ty) place the centre inside the cell; tw, th scale the anchor by e^t.
      return html`<span>σ(tx) ${known.offsetX.toFixed(2)} · σ(ty) ${known.offsetY.toFixed(2)} · tw ${known.tw.toFixed(2)} · th ${known.th.toFixed(2)}</span>
        <span>anchor ${known.anchor} → ${known.width.toFixed(0)} × ${known.height.toFixed(0)} px</span>`;
    case 'distribution':
      // Distribution heads (GFL/DFL): per side the softmax over the bins, its expectation in cells.
      return known.sides.map(
        ({ side, probabilities, cells, px }, index) => html`
          <div class="dist">
            <span class="side" style=${styleMap({ color: SIDE_COLORS[index] })}>${side[0]}</span>
            <svg viewBox="0 0 ${known.bins} 1" preserveAspectRatio="none" role="img" aria-label="${side}: ${cells.toFixed(2)} cells">
              ${probabilities.map((p, bin) => svg`<rect x=${bin + 0.1} y=${1 - p} width="0.8" height=${p} fill=${SIDE_COLORS[index]}></rect>`)}
              <line x1=${cells + 0.5} x2=${cells + 0.5} y1="0" y2="1" class="mean"></line>
            </svg>
            <span>${px.toFixed(1)} px</span>
          </div>
        `,
      );
    case 'ltrb':
      return html`<span>${known.sides.map(({ side, px }) => `${side} ${px.toFixed(1)}`).join(' · ')} px</span>`;
    default:
      // The model does not say what its regression holds: the raw channels, as they are.
      return html`<span>${Array.from(values.subarray(0, 8), (v, i) => `${i}: ${v.toFixed(2)}`).join(' · ')}${values.length > 8 ? ` … (${values.length})` : ''}</span>`;
  }
}
