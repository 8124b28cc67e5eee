/**
 * The overlay's layers, in the order they are listed, stacked and applied: the one table that
 * `<loupe-overlay>` (which layers exist, what they need and draw), `<loupe-live>` (its layer buttons and
 * forwarded CSS parts) and the custom-elements manifest (custom-elements-manifest.config.mjs) read.
 * A new layer: its module (see ./layer.ts) and one row here.
 */
import { boxesLayer } from './boxes.js';
import { heatmapLayer } from './heatmap.js';
import type { CssPart, OverlayLayerModule } from './layer.js';
import { levelsLayer } from './levels.js';
import { offsetsLayer } from './offsets.js';
import { tilesLayer } from './tiles.js';
import { tracksLayer } from './tracks.js';

export const LAYER_TABLE = [boxesLayer, heatmapLayer, levelsLayer, offsetsLayer, tilesLayer, tracksLayer] as const;

/** A layer's name, as `layers` takes it. */
export type OverlayLayer = (typeof LAYER_TABLE)[number]['name'];

export const OVERLAY_LAYERS: readonly OverlayLayer[] = LAYER_TABLE.map((layer) => layer.name);

/** CSS parts of the overlay element itself, whatever the layers. */
export const OVERLAY_PARTS: readonly CssPart[] = [{ name: 'frame', description: 'The analysed video frame under the layers (with `show-frame`).' }];

/** Every CSS part of `<loupe-overlay>`: its own, then each layer's. */
export const OVERLAY_CSS_PARTS: readonly CssPart[] = [...OVERLAY_PARTS, ...LAYER_TABLE.flatMap((layer) => layer.parts)];

/** `exportparts` for an overlay inside another element's shadow DOM: every part, same names. */
export const OVERLAY_EXPORT_PARTS = OVERLAY_CSS_PARTS.map((part) => part.name).join(', ');

export function isOverlayLayer(name: string): name is OverlayLayer {
  return (OVERLAY_LAYERS as readonly string[]).includes(name);
}

/** The table rows of the layers named in `names`, in table order. */
export function layersNamed(names: Iterable<string>): OverlayLayerModule[] {
  const wanted = new Set(names);
  return LAYER_TABLE.filter((layer) => wanted.has(layer.name));
}

export type { LayerMemory, OverlayLayerModule } from './layer.js';
