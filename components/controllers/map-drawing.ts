/**
 * The maps of `<loupe-overlay>`'s frames drawn into canvases: the heatmap layer's map (or the one level
 * the `levels` layer shows) and the side-by-side strip of level or per-anchor maps, through the engine's
 * HeatmapRenderer (drawn from GPU memory where the backend allows).
 *
 * One frame at a time: a newer frame replaces one still waiting, never a queue, so a slow renderer shows
 * the latest maps rather than falling behind. The waiting frame holds its own references to the map
 * tensors (the detector disposes its maps when its next result arrives); they are released once drawn
 * or dropped. Plain TypeScript (no Lit): the overlay submits frames and gets them back to commit.
 */
import type { Rank } from '@tensorflow/tfjs';
import { HeatmapRenderer, heatmapPlacement, type ColormapName, type MapHandle } from '../../models/index.js';
import type { LevelPanel, OverlayFrame } from '../layers/layer.js';

/** A frame waiting for the renderers, with its own references to the map tensors. */
export interface PendingMaps {
  frame: OverlayFrame;
  /** The map of the heatmap layer (or of the one level the `levels` layer shows): [h, w, classes]. */
  map: MapHandle<Rank.R3> | null;
  /** Level maps (or per-anchor objectness maps) for the side-by-side strip, each [h, w, classes]. */
  panels: MapHandle<Rank.R3>[];
  panelsAreAnchors: boolean;
  /** Regression maps the frame keeps for the inspector, handed over with it (or released if dropped). */
  regression: (MapHandle<Rank.R3> | undefined)[];
}

export interface MapDrawingHost {
  /** The class the heatmap shows for `model` (null: the maximum over classes), read when drawing. */
  heatmapClass(model: string): number | null;
  colormap(): ColormapName;
  /**
   * A frame with its maps drawn (`drawn`), or without them after a failure already reported. Answers
   * false when the host is gone: the frame's regression handles are then released here.
   */
  commit(frame: OverlayFrame, drawn: boolean): boolean;
  reportError(error: unknown): void;
}

/** What the drawing needs of a renderer (the engine's HeatmapRenderer; the Node test gives its own). */
export type MapRenderer = Pick<HeatmapRenderer, 'render' | 'dispose' | 'canvas' | 'path'>;

export class MapDrawing {
  private renderer: MapRenderer | null = null;
  /** One renderer per panel of the side-by-side strip. */
  private panelRenderers: MapRenderer[] = [];
  private pending: PendingMaps | null = null;
  private drawing = false;

  constructor(
    private readonly host: MapDrawingHost,
    private readonly createRenderer: () => MapRenderer = () => new HeatmapRenderer(),
  ) {}

  /** The renderer of the single heatmap (its canvas and the path it took), once it has drawn. */
  get heatmapRenderer(): MapRenderer | null {
    return this.renderer;
  }

  /** Draws `pending` after the frame being drawn, replacing (and releasing) one still waiting. */
  submit(pending: PendingMaps): void {
    this.drop();
    this.pending = pending;
    void this.drain();
  }

  /** Releases the frame still waiting, if any. */
  drop(): void {
    if (!this.pending) return;
    this.pending.map?.dispose();
    for (const panel of this.pending.panels) panel.dispose();
    for (const handle of this.pending.regression) handle?.dispose();
    this.pending = null;
  }

  /** Releases the waiting frame and the renderers (their canvases and GPU resources). */
  dispose(): void {
    this.drop();
    this.renderer?.dispose();
    this.renderer = null;
    for (const renderer of this.panelRenderers) renderer.dispose();
    this.panelRenderers = [];
  }

  private async drain(): Promise<void> {
    if (this.drawing) return;
    this.drawing = true;
    try {
      while (this.pending) {
        const { frame, map, panels, panelsAreAnchors, regression } = this.pending;
        this.pending = null;
        let drawn = false;
        try {
          const classId = this.host.heatmapClass(frame.model);
          const colormap = this.host.colormap();
          frame.colormap = colormap;
          if (map) {
            this.renderer ??= this.createRenderer();
            await this.renderer.render(map, { classId, colormap });
            frame.heatmap = heatmapPlacement(frame.letterbox, map);
            frame.heatmapClass = classId;
            frame.heatmapClasses = map.tensor.shape[2];
          }
          frame.panels = [];
          for (const [index, panel] of panels.entries()) {
            const renderer = (this.panelRenderers[index] ??= this.createRenderer());
            const canvas = await renderer.render(panel, { classId, colormap });
            const placement = heatmapPlacement(frame.letterbox, panel);
            const levelPanel: LevelPanel = panelsAreAnchors ? { level: 0, anchor: index, stride: panel.stride, placement, canvas } : { level: index, stride: panel.stride, placement, canvas };
            frame.panels.push(levelPanel);
          }
          drawn = true;
        } catch (error) {
          this.host.reportError(error);
        } finally {
          map?.dispose();
          for (const panel of panels) panel.dispose();
        }
        frame.regression = regression;
        if (!this.host.commit(frame, drawn)) for (const handle of regression) handle?.dispose();
      }
    } finally {
      this.drawing = false;
    }
  }
}
