/**
 * Reading a head's regression values at one cell, as its descriptor declares them (`RegressionSpec`):
 * the distances to the box edges, the per-side bin distributions and their expectations, or the anchor's
 * centre offset and size. Plain numbers in, plain data out (no tfjs): overlays show what it returns.
 */
import { LoupeError } from '../src/errors.js';
import type { RegressionSpec } from '../src/model-descriptor.js';

export type BoxSide = 'left' | 'top' | 'right' | 'bottom';
/** The order of the four sides in every regression layout: left, top, right, bottom. */
export const BOX_SIDES: readonly BoxSide[] = ['left', 'top', 'right', 'bottom'];

/** One side's distance from the cell's prior point to the box edge. */
export interface SideDistance {
  side: BoxSide;
  /** In model-input pixels. */
  px: number;
}

/** One side of a distribution head: the softmax over its bins and their expectation. */
export interface SideDistribution extends SideDistance {
  /** softmax of the side's logits, one per bin (0 … bins − 1 cells); sums to 1. */
  probabilities: number[];
  /** Σ b · p_b, in cells of the level's stride. */
  cells: number;
}

export type RegressionReading =
  | { kind: 'ltrb'; sides: SideDistance[] }
  | { kind: 'distribution'; bins: number; sides: SideDistribution[] }
  | {
      kind: 'anchor-offsets';
      anchor: number;
      /** σ(tx), σ(ty): the box centre's offset inside the cell, 0..1 of a cell. */
      offsetX: number;
      offsetY: number;
      /** The raw log-scale factors of the anchor's width and height. */
      tw: number;
      th: number;
      /** The box size they give, e^t · anchor · stride, in model-input pixels. */
      width: number;
      height: number;
    };

/** Where the values came from: the level's stride and, for anchored heads, the detection's anchor. */
export interface RegressionCell {
  stride: number;
  anchor: number;
}

/** How many regression channels a head declared by `spec` has per cell. */
export function regressionChannels(spec: RegressionSpec): number {
  switch (spec.kind) {
    case 'ltrb':
      return 4;
    case 'distribution':
      return 4 * spec.bins;
    case 'anchor-offsets':
      return 4 * spec.anchors.length;
  }
}

/**
 * Expectation Σ b · softmax(logits)_b of the `bins` logits starting at `offset`, in bins (cells). `scratch`
 * (≥ bins long) avoids an allocation per call in decode loops.
 */
export function binExpectation(logits: ArrayLike<number>, offset: number, bins: number, scratch: Float64Array = new Float64Array(bins)): number {
  let max = -Infinity;
  for (let b = 0; b < bins; b++) max = Math.max(max, logits[offset + b]!);
  let sum = 0;
  let weighted = 0;
  for (let b = 0; b < bins; b++) {
    const e = Math.exp(logits[offset + b]! - max);
    scratch[b] = e;
    sum += e;
    weighted += b * e;
  }
  return weighted / sum;
}

/**
 * In: the `regression` map's channels at one cell ([R] float32, as `LevelMaps.regression[y, x, :]`).
 * Out: what they mean under `spec`. Throws `LoupeError('model-mismatch')` when R is not what the spec
 * declares (a descriptor whose maps do not match its own declaration).
 */
export function describeRegression(spec: RegressionSpec, values: ArrayLike<number>, cell: RegressionCell): RegressionReading {
  const expected = regressionChannels(spec);
  if (values.length !== expected) {
    throw new LoupeError('model-mismatch', `The regression map has ${values.length} channels per cell; the model declares ${expected} (${spec.kind}).`);
  }
  switch (spec.kind) {
    case 'ltrb':
      return { kind: 'ltrb', sides: BOX_SIDES.map((side, index) => ({ side, px: values[index]! })) };
    case 'distribution': {
      const { bins } = spec;
      const sides = BOX_SIDES.map((side, index) => {
        const scratch = new Float64Array(bins);
        const cells = binExpectation(values, index * bins, bins, scratch);
        const sum = scratch.reduce((a, b) => a + b, 0);
        return { side, probabilities: Array.from(scratch, (e) => e / sum), cells, px: cells * cell.stride };
      });
      return { kind: 'distribution', bins, sides };
    }
    case 'anchor-offsets': {
      const [anchorWidth, anchorHeight] = spec.anchors[cell.anchor] ?? [NaN, NaN];
      if (!Number.isFinite(anchorWidth)) {
        throw new LoupeError('model-mismatch', `Anchor ${cell.anchor} is not one of the model's ${spec.anchors.length} anchors.`);
      }
      const at = cell.anchor * 4;
      const [offsetX, offsetY, tw, th] = [values[at]!, values[at + 1]!, values[at + 2]!, values[at + 3]!];
      return {
        kind: 'anchor-offsets',
        anchor: cell.anchor,
        offsetX,
        offsetY,
        tw,
        th,
        width: Math.exp(tw) * anchorWidth * cell.stride,
        height: Math.exp(th) * anchorHeight! * cell.stride,
      };
    }
  }
}
