/**
 * The overlay's bookkeeping of the model's maps: which maps of a result each output level has, and
 * second references to them (tfjs clones share the GPU data) that the overlay holds and releases on its
 * own schedule, independent of the detector or page that made the result.
 */
import type { Rank } from '@tensorflow/tfjs';
import { channelOf, levelMapsOf as levelMapsOfMaps, ownMap, type LevelMapRefs } from '../../src/maps.js';
import type { DetectionResult, MapHandle } from '../../src/types.js';

export { channelOf, type LevelMapRefs };

/** The result's maps per level (single-level results without `levels`: the heatmap and ltrb). */
export function levelMapsOf(result: Pick<DetectionResult, 'maps'>): LevelMapRefs[] {
  return levelMapsOfMaps(result.maps);
}

/** A second, independently disposable reference to a map. */
export function retainMap(map: MapHandle<Rank.R3>): MapHandle<Rank.R3> {
  return ownMap(map.tensor.clone(), map.stride, map.cellOrigin);
}

/** The map if it is still alive, retained; else undefined. */
export function retainLive(map: MapHandle<Rank.R3> | undefined): MapHandle<Rank.R3> | undefined {
  return map && !map.disposed ? retainMap(map) : undefined;
}

/** Own references to every live level's maps (levels whose scores are gone are left out). */
export function retainLevels(levels: readonly LevelMapRefs[]): LevelMapRefs[] {
  return levels
    .filter((level) => !level.scores.disposed)
    .map((level) => ({
      stride: level.stride,
      scores: retainMap(level.scores),
      regression: retainLive(level.regression),
      objectness: retainLive(level.objectness),
    }));
}

export function releaseLevels(levels: readonly LevelMapRefs[]): void {
  for (const level of levels) {
    level.scores.dispose();
    level.regression?.dispose();
    level.objectness?.dispose();
  }
}
