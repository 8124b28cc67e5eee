/**
 * The overlay's bookkeeping of the model's maps: which maps of a result each output level has, and
 * second references to them (tfjs clones share the GPU data) that the overlay holds and releases on its
 * own schedule, independent of the detector or page that made the result.
 */
import type { Rank } from '@tensorflow/tfjs';
import { ownMap } from '../../src/maps.js';
import type { DetectionResult, MapHandle } from '../../src/types.js';

/** The maps of one output level that the overlay draws or inspects. */
export interface LevelMapRefs {
  stride: number;
  /** [H, W, C] class scores. */
  scores: MapHandle<Rank.R3>;
  /** [H, W, R] regression values (see the model's `RegressionSpec`). */
  regression?: MapHandle<Rank.R3> | undefined;
  /** Per-anchor objectness [H, W, A] (YOLOv2). */
  objectness?: MapHandle<Rank.R3> | undefined;
}

/** The result's maps per level (single-level results without `levels`: the heatmap and ltrb). */
export function levelMapsOf(result: Pick<DetectionResult, 'maps'>): LevelMapRefs[] {
  const maps = result.maps;
  if (!maps) return [];
  if (maps.levels?.length) {
    return maps.levels.map((level) => ({ stride: level.stride, scores: level.scores, regression: level.regression, objectness: level.objectness }));
  }
  return maps.heatmap ? [{ stride: maps.heatmap.stride, scores: maps.heatmap, regression: maps.ltrb }] : [];
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

/** One channel of a map as its own [H, W, 1] handle (an anchor's objectness). */
export function channelOf(map: MapHandle<Rank.R3>, channel: number): MapHandle<Rank.R3> {
  return ownMap(map.tensor.slice([0, 0, channel], [-1, -1, 1]), map.stride, map.cellOrigin);
}
