/**
 * The `levels` layer: boxes coloured by the output level (stride) that produced them, a legend with the
 * count per level, and the per-level score maps: side by side, each at its own stride (`level="all"`),
 * or one level over the picture (`level="16"`, drawn as the heatmap is). For a single-level anchor-based
 * model (YOLOv2) the side-by-side maps are each anchor's objectness. The maps sit with the legend in the
 * bottom-right corner, with a colour scale, and fold away with one click; a map with no box at all gets
 * a note with its highest value ("no score ≥ 0.3 · max 0.08"), so an empty dark square reads as "nothing
 * here above the threshold", not as a broken canvas.
 */
import { html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { colormapStops } from '../../src/render/colormap.js';
import type { Detection } from '../../src/types.js';
import { percentOf } from '../internal/fit.js';
import { levelColor } from '../internal/palette.js';
import { heatmapView } from './heatmap.js';
import { defineLayer, type LayerContext, type LevelLayout, type LevelPanel, type PanelPlan } from './layer.js';

const COLLAPSE_KEY = 'levels';

export const levelsLayer = defineLayer({
  name: 'levels',
  label: 'Levels',
  summary:
    "boxes coloured by the output level (stride) that produced them, a legend with the count per level, and the per-level score maps: side by side, each at its own stride (`level=\"all\"`, the default; they fold away), or one level over the video (`level=\"16\"`); for a single-level anchor-based model (YOLOv2) the side-by-side maps are each anchor's objectness",
  parts: [
    { name: 'level-legend', description: "The `levels` layer's list of levels." },
    { name: 'panels', description: 'The strip of per-level score maps.' },
  ],
  maps: ['scores', 'objectness'],
  showsBoxes: () => true,
  request: ({ levelNamed }) => (levelNamed ? { heatmap: true } : { panels: panelPlanOf }),
  decorateBox: (detection) => ({ color: levelColor(detection.cell.level), suffix: ` · s${detection.cell.stride}` }),
  render(context) {
    // One level named: it is drawn over the picture like the heatmap (by the heatmap layer when that is on).
    const single = context.layers.has('heatmap') ? {} : heatmapView(context);
    return { under: single.under, chrome: html`${single.chrome ?? nothing}${renderCorner(context)}` };
  },
});

/**
 * The maps for the side-by-side strip: each anchor's objectness of a single-level anchored head, else
 * each level's scores of a multi-level model; null for one level without anchors.
 */
export function panelPlanOf(levels: readonly LevelLayout[]): PanelPlan | null {
  const anchors = levels.length === 1 ? (levels[0]?.objectnessChannels ?? 0) : 0;
  if (anchors > 1) return { anchors: true, panels: Array.from({ length: anchors }, (_, channel) => ({ level: 0, map: 'objectness', channel })) };
  if (levels.length > 1) return { anchors: false, panels: levels.map((_, level) => ({ level, map: 'scores' })) };
  return null;
}

/** The detections a panel's map produced. */
export function panelDetections(panel: Pick<LevelPanel, 'level' | 'anchor'>, detections: readonly Detection[]): Detection[] {
  return detections.filter((d) => (panel.anchor === undefined ? d.cell.level === panel.level : d.cell.anchor === panel.anchor));
}

/**
 * What a panel without any box says: how high its map reached when that is known (`peak`), e.g.
 * `no score ≥ 0.35 · max 0.08` (nothing there: the dark square is the map, not a fault), or `no box ≥ 0.35 ·
 * max 0.52` (a cell passed, and its box lost the NMS to a stronger one from another level).
 */
export function emptyPanelNote(scoreThreshold: number | undefined, peak?: number): string {
  const at = scoreThreshold === undefined ? '' : ` ≥ ${+scoreThreshold.toFixed(2)}`;
  if (peak === undefined) return `no box${at}`;
  const max = `max ${peak.toFixed(2)}`;
  return scoreThreshold !== undefined && peak < scoreThreshold ? `no score${at} · ${max}` : `no box${at} · ${max}`;
}

function renderCorner(context: LayerContext) {
  const { frame } = context;
  const panels = frame.panels ?? [];
  if (frame.levels.length === 0 && panels.length === 0) return nothing;
  const collapsed = context.isCollapsed(COLLAPSE_KEY);
  return html`
    <div class="levels-corner">
      ${panels.length > 0
        ? html`
            ${collapsed ? nothing : renderPanels(context, panels)}
            <div class="panels-bar">
              ${collapsed
                ? nothing
                : html`<span>0</span
                    ><span class="bar" style=${styleMap({ background: `linear-gradient(to right, ${colormapStops(frame.colormap)})` })}></span
                    ><span>1</span>`}
              <button type="button" class="fold" aria-expanded=${collapsed ? 'false' : 'true'} @click=${() => context.toggleCollapsed(COLLAPSE_KEY)}>
                ${collapsed ? 'Show maps' : 'Hide maps'}
              </button>
            </div>
          `
        : nothing}
      ${renderLegend(context)}
    </div>
  `;
}

function renderLegend({ frame }: LayerContext) {
  if (frame.levels.length === 0) return nothing;
  const counts = frame.levels.map((_, level) => frame.detections.filter((d) => d.cell.level === level).length);
  return html`
    <ul class="level-legend" part="level-legend" aria-label="Output levels">
      ${frame.levels.map(
        (level, index) => html`
          <li style=${styleMap({ '--c': levelColor(index) })}>
            <span class="swatch"></span>stride ${level.stride} · ${level.width}×${level.height}<span class="count">${counts[index]}</span>
          </li>
        `,
      )}
    </ul>
  `;
}

/** The per-level score maps side by side, each over a small copy of the frame at its own stride. */
function renderPanels({ frame, source, model }: LayerContext, panels: readonly LevelPanel[]) {
  return html`
    <div class="panels" part="panels" style=${styleMap({ '--aspect': `${source.width} / ${source.height}`, '--count': String(panels.length) })}>
      ${panels.map((panel) => {
        const boxes = panelDetections(panel, frame.detections);
        return html`
          <figure class="panel" style=${styleMap({ '--c': levelColor(panel.anchor ?? panel.level) })}>
            <div class="panel-frame">
              <div class="heatmap" style=${styleMap(percentOf(panel.placement, source))}>${panel.canvas}</div>
              ${boxes.map((d) => html`<div class="mini-box" style=${styleMap(percentOf(d, source))}></div>`)}
              ${boxes.length === 0 ? html`<span class="panel-note">${emptyPanelNote(model.scoreThreshold, panel.peak).replace(' · ', '\n')}</span>` : nothing}
            </div>
            <figcaption>${panel.anchor === undefined ? `stride ${panel.stride}` : `anchor ${panel.anchor}`}</figcaption>
          </figure>
        `;
      })}
    </div>
  `;
}
