/**
 * The `tiles` layer (small-object mode): the tile grid of each pyramid scale, coloured by scale,
 * with the tiles that ran on this frame solid and the others (left out by the budget) dashed; a strip that
 * lists the scales with their tile counts and the boxes each contributed; provenance colours for boxes.
 */
import { html, nothing, svg } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Detection, SmallObjectsReport } from '../../models/index.js';
import type { Size } from '../internal/fit.js';
import { defineLayer } from './layer.js';

export const tilesLayer = defineLayer({
  name: 'tiles',
  label: 'Tiles',
  summary:
    '(small-object mode) the tile grid of each pyramid scale, coloured by scale, the tiles that ran solid and those a budget left out dashed; boxes coloured by the scale that found them; a strip listing the scales with their tiles and boxes',
  parts: [
    { name: 'tiles', description: "The `tiles` layer's tile grids (an SVG in source pixels)." },
    { name: 'scale-strip', description: "The `tiles` layer's list of pyramid scales." },
  ],
  maps: [],
  // Without small-object mode there is nothing to colour the boxes by: they follow the other layers.
  showsBoxes: (frame) => frame.smallObjects !== undefined,
  decorateBox: (detection, frame) =>
    frame.smallObjects ? { color: provenanceColor(detection, frame.smallObjects), suffix: provenanceLabel(detection) } : undefined,
  render: ({ frame, source }) =>
    frame.smallObjects ? { under: renderTiles(frame.smallObjects, source), side: renderScaleStrip(frame.smallObjects, frame.detections) } : {},
});

/** The whole frame, then each tiled scale, finest last: white, then colours apart from the level palette. */
const SCALE_COLORS = ['#e5e7eb', '#f0abfc', '#5eead4', '#fde047', '#fb923c', '#a5b4fc'] as const;

export function scaleColor(scaleIndex: number): string {
  if (scaleIndex <= 0) return SCALE_COLORS[0];
  return SCALE_COLORS[1 + ((scaleIndex - 1) % (SCALE_COLORS.length - 1))] ?? SCALE_COLORS[1];
}

/** The colour of the pass a detection came from; undefined when it has no provenance. */
export function provenanceColor(detection: Detection, report: SmallObjectsReport): string | undefined {
  const tile = detection.tile && report.tiles[detection.tile.index];
  return tile ? scaleColor(tile.scaleIndex) : undefined;
}

/** The scale a detection came from, as a label suffix (` · ×2`, ` · whole`). */
export function provenanceLabel(detection: Detection): string {
  if (!detection.tile) return '';
  return detection.tile.scale === 1 ? ' · whole' : ` · ×${+detection.tile.scale.toFixed(2)}`;
}

/** The tile grids, in source pixels (an SVG over the frame). */
export function renderTiles(report: SmallObjectsReport, source: Size) {
  const budgeted = report.tiles.some((tile) => !tile.executed);
  return html`
    <svg class="tiles" part="tiles" viewBox="0 0 ${source.width} ${source.height}" preserveAspectRatio="none" aria-hidden="true">
      ${report.tiles
        .filter((tile) => tile.scaleIndex > 0)
        .map(
          (tile) => svg`
            <rect
              class="tile ${tile.executed ? 'ran' : 'skipped'} ${budgeted && tile.executed ? 'picked' : ''}"
              style="--c: ${scaleColor(tile.scaleIndex)}"
              data-scale=${tile.scale}
              data-index=${tile.index}
              x=${tile.rect.x}
              y=${tile.rect.y}
              width=${tile.rect.width}
              height=${tile.rect.height}
            ></rect>
          `,
        )}
    </svg>
  `;
}

/** The pyramid's scales: per scale its colour, tiles run / planned, and the boxes it contributed. */
export function renderScaleStrip(report: SmallObjectsReport, detections: readonly Detection[]) {
  const scales = [...new Map(report.tiles.map((tile) => [tile.scaleIndex, tile.scale])).entries()].sort((a, b) => a[0] - b[0]);
  if (scales.length === 0) return nothing;
  return html`
    <ul class="scale-strip" part="scale-strip" aria-label="Pyramid scales">
      ${scales.map(([scaleIndex, scale]) => {
        const tiles = report.tiles.filter((tile) => tile.scaleIndex === scaleIndex);
        const ran = tiles.filter((tile) => tile.executed).length;
        const boxes = detections.filter((d) => d.tile && report.tiles[d.tile.index]?.scaleIndex === scaleIndex).length;
        const what = scaleIndex === 0 ? 'whole frame' : `×${+scale.toFixed(2)} · ${ran}/${tiles.length} tiles`;
        return html`<li style=${styleMap({ '--c': scaleColor(scaleIndex) })}><span class="swatch"></span>${what}<span class="count">${boxes}</span></li>`;
      })}
    </ul>
  `;
}
