import type * as tf from '@tensorflow/tfjs';
import type { DecodedMaps } from './model-descriptor.js';
import type { DetectionMaps, MapHandle } from './types.js';

/** A tensor handed over with explicit ownership: whoever holds the handle calls `dispose()` once. */
class OwnedMap<R extends tf.Rank> implements MapHandle<R> {
  private released = false;
  constructor(
    readonly tensor: tf.Tensor<R>,
    readonly stride: number,
    readonly cellOrigin: 'corner' | 'centre',
  ) {}
  get disposed(): boolean {
    return this.released || this.tensor.isDisposed;
  }
  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.tensor.dispose();
  }
}

export function ownMap<R extends tf.Rank>(tensor: tf.Tensor<R>, stride: number, cellOrigin: 'corner' | 'centre'): MapHandle<R> {
  return new OwnedMap(tensor, stride, cellOrigin);
}

/** Bundles a decoder's map handles into the result's `maps`, with one `dispose()` for all (each once). */
export function bundleMaps(maps: DecodedMaps): DetectionMaps {
  const handles = new Set<MapHandle>();
  if (maps.heatmap) handles.add(maps.heatmap);
  if (maps.ltrb) handles.add(maps.ltrb);
  for (const level of maps.levels ?? []) {
    handles.add(level.scores);
    if (level.regression) handles.add(level.regression);
    if (level.objectness) handles.add(level.objectness);
  }
  return {
    ...maps,
    dispose() {
      for (const map of handles) map.dispose();
    },
  };
}

/** The maps of one output level: [H, W, C] scores, and the level's regression / objectness when it has them. */
export interface LevelMapRefs {
  stride: number;
  /** [H, W, C] class scores. */
  scores: MapHandle<tf.Rank.R3>;
  /** [H, W, R] regression values (see the model's `RegressionSpec`). */
  regression?: MapHandle<tf.Rank.R3> | undefined;
  /** Per-anchor objectness [H, W, A] (YOLOv2). */
  objectness?: MapHandle<tf.Rank.R3> | undefined;
}

/** A result's maps per output level (single-level results without `levels`: the heatmap and ltrb). */
export function levelMapsOf(maps: DetectionMaps | undefined): LevelMapRefs[] {
  if (!maps) return [];
  if (maps.levels?.length) {
    return maps.levels.map((level) => ({ stride: level.stride, scores: level.scores, regression: level.regression, objectness: level.objectness }));
  }
  return maps.heatmap ? [{ stride: maps.heatmap.stride, scores: maps.heatmap, regression: maps.ltrb }] : [];
}

/** One channel of a map as its own [H, W, 1] handle (an anchor's objectness); `map` keeps its own. */
export function channelOf(map: MapHandle<tf.Rank.R3>, channel: number): MapHandle<tf.Rank.R3> {
  return ownMap(map.tensor.slice([0, 0, channel], [-1, -1, 1]), map.stride, map.cellOrigin);
}
