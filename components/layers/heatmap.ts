/**
 * The `heatmap` layer: the model's per-cell class scores (max over classes, or `heatmap-class`) of one
 * output level, colour-mapped with rising opacity, registered cell by cell to the picture (the engine's
 * `heatmapPlacement()`), with its colour bar.
 */
import { html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { colormapStops } from '../../src/render/colormap.js';
import { percentOf } from '../internal/fit.js';
import { defineLayer, type LayerContext, type LayerView } from './layer.js';

export const heatmapLayer = defineLayer({
  name: 'heatmap',
  label: 'Heatmap',
  summary: "the model's per-cell class scores (max over classes, or `heatmap-class`) of one output level (`level`; default the finest), colour-mapped with rising opacity, placed cell by cell with the engine's `heatmapPlacement()`",
  parts: [
    { name: 'heatmap', description: "The heatmap layer (a canvas at the map's resolution, stretched to its cells)." },
    { name: 'legend', description: "The heatmap's colour bar." },
  ],
  maps: ['scores'],
  request: () => ({ heatmap: true }),
  render: heatmapView,
});

/** The drawn heatmap over the picture and its colour bar (also shown by `levels` with one level named). */
export function heatmapView(context: LayerContext): LayerView {
  const { frame, source, heatmapCanvas } = context;
  if (!frame.heatmap || !heatmapCanvas) return {};
  return {
    // The map also covers the letterbox padding the model saw, which lies outside the picture: clipped.
    under: html`
      <div class="clip">
        <div class="heatmap" part="heatmap" style=${styleMap(percentOf(frame.heatmap, source))}>${heatmapCanvas}</div>
      </div>
    `,
    chrome: context.legend ? renderLegend(context) : nothing,
  };
}

function renderLegend({ frame, model }: LayerContext) {
  const { labels } = model;
  const what =
    frame.heatmapClass == null ? `max of ${frame.heatmapClasses ?? labels.length} classes` : (labels[frame.heatmapClass] ?? `class ${frame.heatmapClass}`);
  const level = frame.levels.length > 1 ? ` · stride ${frame.levels[frame.heatmapLevel ?? 0]?.stride}` : '';
  return html`
    <div class="legend" part="legend" role="img" aria-label="Heatmap colour scale from 0 to 1">
      <span class="title">Score · ${what}${level}</span>
      <span>0</span>
      <span class="bar" style=${styleMap({ background: `linear-gradient(to right, ${colormapStops(frame.colormap)})` })}></span>
      <span>1</span>
    </div>
  `;
}
