import type * as tf from '@tensorflow/tfjs';
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

/** Bundles named map handles into the result's `maps`, with one `dispose()` for all. */
export function bundleMaps(maps: Record<string, MapHandle<tf.Rank.R3>>): DetectionMaps {
  return {
    ...maps,
    dispose() {
      for (const map of Object.values(maps)) map.dispose();
    },
  };
}
