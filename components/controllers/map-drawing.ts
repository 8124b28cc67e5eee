/**
 * The maps of `<loupe-overlay>`'s frames drawn into canvases: the heatmap layer's map (or the one level
 * the `levels` layer shows) and the side-by-side strip of level or per-anchor maps, through the engine's
 * HeatmapRenderer (drawn from GPU memory where the backend allows).
 *
 * One frame at a time: a newer frame replaces one still waiting, never a queue, so a slow renderer shows
 * the latest maps rather than falling behind. The waiting frame holds its own references to the map
 * tensors (the detector disposes its maps when its next result arrives); they are released once drawn
 * or dropped. Plain TypeScript (no Lit): the overlay submits frames and gets them back to commit.
 *
 * Worker mode: the maps stay in Loupe's Worker (`DetectionResult.workerMaps`); a frame then carries our
 * reference to them and which maps to draw, the Worker colour-maps them with the same renderer and sends
 * bitmaps, shown here on `bitmaprenderer` canvases (no pixel copy on the page).
 */
import type { Rank } from '@tensorflow/tfjs';
import { HeatmapRenderer, heatmapPlacement, mapPeak, type ColormapName, type HeatmapPath, type MapHandle, type WorkerMaps } from '../../models/index.js';
import type { LevelPanel, OverlayFrame, PanelSpec } from '../layers/layer.js';
import { panelDetections } from '../layers/levels.js';

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
  /**
   * Worker mode: our reference to the result's maps in the Worker, the level the heatmap shows (null:
   * none), the strip's maps, and whether the frame keeps the reference for the inspector (`keep`).
   */
  remote?: { maps: WorkerMaps; heatmapLevel: number | null; panels: PanelSpec[]; keep: boolean };
}

/** The heatmap as last drawn: the canvas on screen and the path that drew it (in worker mode, the Worker's). */
export interface ShownHeatmap {
  canvas: HTMLCanvasElement;
  path: HeatmapPath;
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
  /** Worker mode: the canvases the Worker's bitmaps are shown on (heatmap, then one per panel). */
  private workerHeatmapCanvas: HTMLCanvasElement | null = null;
  private workerPanelCanvases: HTMLCanvasElement[] = [];
  private shown: ShownHeatmap | null = null;

  constructor(
    private readonly host: MapDrawingHost,
    private readonly createRenderer: () => MapRenderer = () => new HeatmapRenderer(),
    private readonly peakOf: (map: MapHandle<Rank.R3>, classId: number | null) => Promise<number> = mapPeak,
  ) {}

  /** The renderer of the single heatmap (its canvas and the path it took), once it has drawn. */
  get heatmapRenderer(): MapRenderer | null {
    return this.renderer;
  }

  /** The single heatmap as last drawn, on this thread or in the Worker. */
  get heatmapShown(): ShownHeatmap | null {
    return this.shown;
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
    this.pending.remote?.maps.dispose();
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
    this.shown = null;
    for (const renderer of this.panelRenderers) renderer.dispose();
    this.panelRenderers = [];
  }

  private async drain(): Promise<void> {
    if (this.drawing) return;
    this.drawing = true;
    try {
      while (this.pending) {
        if (this.pending.remote) {
          await this.drawInWorker(this.pending);
          continue;
        }
        const { frame, map, panels, panelsAreAnchors, regression } = this.pending;
        this.pending = null;
        let drawn = false;
        try {
          const classId = this.host.heatmapClass(frame.model);
          const colormap = this.host.colormap();
          frame.colormap = colormap;
          if (map) {
            const renderer = (this.renderer ??= this.createRenderer());
            await renderer.render(map, { classId, colormap });
            // dispose() while it drew (the overlay moved in the DOM): that renderer is gone; the next frame draws anew.
            if (this.renderer === renderer) this.shown = { canvas: renderer.canvas, path: renderer.path ?? 'cpu-8bit' };
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
            // A panel without a box says how high its map reached (one float), not just a dark square.
            if (panelDetections(levelPanel, frame.detections).length === 0) levelPanel.peak = await this.peakOf(panel, classId);
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

  /** One worker-mode frame: its maps drawn in the Worker (`WorkerMaps.draw`), shown here as bitmaps. */
  private async drawInWorker(pending: PendingMaps): Promise<void> {
    this.pending = null;
    const { frame, panelsAreAnchors } = pending;
    const remote = pending.remote!;
    let drawn = false;
    try {
      const classId = this.host.heatmapClass(frame.model);
      const colormap = this.host.colormap();
      frame.colormap = colormap;
      if (remote.heatmapLevel !== null) {
        const map = await remote.maps.draw({ level: remote.heatmapLevel, classId, colormap });
        this.workerHeatmapCanvas ??= createBitmapCanvas();
        showBitmap(this.workerHeatmapCanvas, map.bitmap, map.path);
        this.shown = { canvas: this.workerHeatmapCanvas, path: map.path };
        frame.heatmap = map.placement;
        frame.heatmapClass = classId;
        frame.heatmapClasses = map.channels;
      }
      frame.panels = [];
      for (const [index, spec] of remote.panels.entries()) {
        const empty = panelDetections(panelsAreAnchors ? { level: 0, anchor: index } : { level: index }, frame.detections).length === 0;
        const request = spec.map === 'objectness' ? { level: spec.level, map: spec.map, channel: spec.channel ?? 0, colormap, peak: empty } : { level: spec.level, classId, colormap, peak: empty };
        const map = await remote.maps.draw(request);
        const canvas = (this.workerPanelCanvases[index] ??= createBitmapCanvas());
        showBitmap(canvas, map.bitmap, map.path);
        const stride = remote.maps.levels[spec.level]?.stride ?? 0;
        const levelPanel: LevelPanel = panelsAreAnchors ? { level: 0, anchor: index, stride, placement: map.placement, canvas } : { level: index, stride, placement: map.placement, canvas };
        if (map.peak !== undefined) levelPanel.peak = map.peak;
        frame.panels.push(levelPanel);
      }
      drawn = true;
    } catch (error) {
      // Maps let go meanwhile (the Worker terminated with its last detector) are no failure to report.
      if (!remote.maps.disposed) this.host.reportError(error);
    }
    if (remote.keep) frame.workerMaps = remote.maps;
    else remote.maps.dispose();
    if (!this.host.commit(frame, drawn) && remote.keep) remote.maps.dispose();
  }
}

/** A canvas showing bitmaps drawn in Loupe's Worker (worker mode's maps), class `loupe-heatmap` as the renderer's. */
function createBitmapCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'loupe-heatmap';
  return canvas;
}

/** Puts `bitmap` (transferred from the Worker) on `canvas`, which takes it over (no pixel copy). */
function showBitmap(canvas: HTMLCanvasElement, bitmap: ImageBitmap, path: HeatmapPath): void {
  if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
  if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
  // The WebGL path's pixels are opaque (premultiplied on black): blend them with `screen`, as on the page.
  canvas.style.mixBlendMode = path === 'webgl-texture' ? 'screen' : '';
  const context = canvas.getContext('bitmaprenderer');
  if (!context) {
    bitmap.close();
    throw new Error('the canvas has no bitmaprenderer context');
  }
  context.transferFromImageBitmap(bitmap);
}
