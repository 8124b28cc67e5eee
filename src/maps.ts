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
