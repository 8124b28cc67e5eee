/**
 * Public types of the small-object mode (image pyramid + tiles). Plain data only; re-exported by
 * `src/types.ts`. See docs/small-objects.md for what each option does and how the defaults were chosen.
 */

/** A rectangle in source (frame) pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How boxes from the whole frame and the tiles become one list. */
export type FusionMethod = 'nms' | 'nmm';

/** Options of the small-object mode; every field has a default (`SMALL_OBJECT_DEFAULTS`). */
export interface SmallObjectsOptions {
  /**
   * Zoom factors of the tiled passes, relative to the whole-frame pass (which always runs): at scale s
   * the frame is seen s times larger than in the whole-frame pass, cut into model-sized tiles. Each > 1.
   */
  scales: number[];
  /** Least overlap between neighbouring tiles, as a fraction of the tile (0 ≤ overlap < 1). */
  overlap: number;
  /** Class-aware NMS on IoU, or greedy non-maximum merging on IoS (intersection over the smaller box), as SAHI. */
  fusion: FusionMethod;
  /** IoU (nms) or IoS (nmm) above which two boxes of one class are the same object. */
  fusionThreshold: number;
  /**
   * At most this many model executions per frame (the whole-frame pass included; ≥ 1). The tiles run are
   * those where the whole-frame pass left the most unresolved evidence. `null`: the full plan.
   */
  budget: number | null;
  /**
   * Scale-aware selection (SNIP): at a tiled scale, a box whose size √(w·h) in that tile's input pixels
   * exceeds this is dropped (the coarser passes see it whole and at a size the model handles well).
   */
  maxTileObject: number;
  /**
   * A whole-frame box smaller than this (√(w·h), whole-frame input px) yields to a tile box of its class
   * that overlaps it (IoU > 0.3), whatever their scores: the tile saw it larger. 0: scores decide.
   */
  minFrameObject: number;
  /**
   * Factor on the scores of tile boxes (≤ 1): a tile sees an object without its surroundings, and its
   * confident mistakes otherwise outrank the whole frame's boxes. 1: as the model scores them.
   */
  tileScoreScale: number;
  /**
   * Send the tiles through the model as one batch when the model computes batches (`true`), one by one
   * (`false`), or batch on the GPU backends only (`'auto'`: on WASM the model's time per tile is the same
   * at any batch size and 6 tiles batched measured 3–9 % slower than one by one, docs/small-objects.md).
   */
  batch: boolean | 'auto';
}

/** Named settings: `full` is the whole plan, `live` the same under a budget of 4 executions a frame. */
export type SmallObjectsPreset = 'full' | 'live';

/**
 * What `smallObjects` accepts: `false`/absent (off), `true` (the defaults), a preset, or options (missing
 * fields take the preset's values, `full` by default, then the defaults).
 */
export type SmallObjectsSetting = boolean | SmallObjectsPreset | (Partial<SmallObjectsOptions> & { preset?: SmallObjectsPreset });

/** Where a detection of the small-object mode came from. */
export interface DetectionTile {
  /** Zoom of the pass relative to the whole-frame pass: 1 for the whole frame. */
  scale: number;
  /** Index of the tile in `DetectionResult.smallObjects.tiles` (0: the whole frame). */
  index: number;
  /** What that pass saw, in source pixels. */
  rect: Rect;
  /** How many boxes fusion merged into this one (1: none). */
  merged: number;
}

/** One planned pass of a frame, as reported in the result. */
export interface TileReport {
  index: number;
  scale: number;
  /** 0 for the whole frame, then 1 + the index in `scales`. */
  scaleIndex: number;
  rect: Rect;
  /** Whether it ran on this frame (always, without a budget). */
  executed: boolean;
  /** Unresolved evidence the whole-frame pass left in it (the budget's ranking); absent without a budget. */
  evidence?: number;
}

/** The small-object mode's plan for the frame, in `DetectionResult.smallObjects`. */
export interface SmallObjectsReport {
  options: SmallObjectsOptions;
  tiles: TileReport[];
  /** Whether the tiles went through the model in one batched call. */
  batched: boolean;
}
