/**
 * The small-object mode's budget: at most N model executions a frame. The whole-frame pass always runs;
 * the N − 1 tiles that run are those where it left the most *unresolved evidence*, computed on the
 * backend from what that pass already holds (no readback):
 *
 * - heatmap mass below threshold: the class map's per-cell maximum where it lies in [low, high) — the
 *   model saw something there but not enough to report it — summed over the cells whose point falls in
 *   the tile;
 * - small, low-confidence candidates: decoded boxes scoring in [low, high) whose size √(w·h) is below
 *   `smallSize` input px, each adding its score to the tiles that contain its centre.
 *
 * The ranking picks tiles with `topk` on the backend, and the crops are gathered by those indices there
 * too, so the whole frame stays on the GPU until the final readback.
 */
import * as tf from '@tensorflow/tfjs';
import type { LetterboxTransform, MapHandle } from '../types.js';
import type { PlannedTile } from './plan.js';

export interface EvidenceOptions {
  /** Scores from here count as evidence. */
  low: number;
  /** Scores from here are resolved: the model already reports them. */
  high: number;
  /** Candidates smaller than this (√(w·h), input px of the whole-frame pass) count. */
  smallSize: number;
}

export const EVIDENCE_DEFAULTS: Readonly<EvidenceOptions> = Object.freeze({ low: 0.05, high: 0.3, smallSize: 32 });

/**
 * [T, H·W] 0/1: whether map cell (x, y) lies in tile t. A cell is its point `(s·(x + o), s·(y + o))` in
 * whole-frame input px (o = ½ for centre-origin maps), taken back to source px through the letterbox.
 */
export function cellMembership(tiles: readonly PlannedTile[], width: number, height: number, stride: number, cellOrigin: 'corner' | 'centre', letterbox: LetterboxTransform): Float32Array {
  const offset = cellOrigin === 'centre' ? 0.5 : 0;
  const mask = new Float32Array(tiles.length * width * height);
  const xs = Array.from({ length: width }, (_, x) => ((x + offset) * stride - letterbox.padX) / letterbox.scaleX);
  const ys = Array.from({ length: height }, (_, y) => ((y + offset) * stride - letterbox.padY) / letterbox.scaleY);
  tiles.forEach(({ rect }, t) => {
    const base = t * width * height;
    ys.forEach((sy, y) => {
      if (sy < rect.y || sy >= rect.y + rect.height) return;
      xs.forEach((sx, x) => {
        if (sx >= rect.x && sx < rect.x + rect.width) mask[base + y * width + x] = 1;
      });
    });
  });
  return mask;
}

const membershipCache = new Map<string, Float32Array>();

function cachedMembership(tiles: readonly PlannedTile[], map: MapHandle<tf.Rank.R3>, letterbox: LetterboxTransform): Float32Array {
  const [height, width] = map.tensor.shape;
  const key = JSON.stringify([tiles.map((t) => t.rect), width, height, map.stride, map.cellOrigin, letterbox]);
  let mask = membershipCache.get(key);
  if (!mask) {
    if (membershipCache.size > 16) membershipCache.clear();
    mask = cellMembership(tiles, width, height, map.stride, map.cellOrigin, letterbox);
    membershipCache.set(key, mask);
  }
  return mask;
}

/**
 * Unresolved evidence per tile, on the backend. In: the whole-frame pass's class map `heatmap` [H, W, C]
 * (absent: only candidates count), its decoded rows [M, ≥6] (x1, y1, x2, y2, score, class, …) in
 * whole-frame input px, that pass's letterbox, and the tiles to rank. Out: [T] float32; nothing is disposed.
 */
export function tileEvidence(
  heatmap: MapHandle<tf.Rank.R3> | undefined,
  rows: tf.Tensor2D,
  letterbox: LetterboxTransform,
  tiles: readonly PlannedTile[],
  options: EvidenceOptions = EVIDENCE_DEFAULTS,
): tf.Tensor1D {
  return tf.tidy(() => {
    const count = tiles.length;
    const band = (scores: tf.Tensor): tf.Tensor => tf.mul(scores, tf.cast(tf.logicalAnd(tf.greaterEqual(scores, options.low), tf.less(scores, options.high)), 'float32'));

    let mass: tf.Tensor1D = tf.zeros([count]);
    if (heatmap && !heatmap.disposed) {
      const [height, width] = heatmap.tensor.shape;
      const unresolved = tf.reshape(band(tf.max(heatmap.tensor, 2)), [height * width, 1]);
      const mask = tf.tensor2d(cachedMembership(tiles, heatmap, letterbox), [count, height * width]);
      mass = tf.reshape(tf.matMul(mask, unresolved), [count]);
    }

    const m = rows.shape[0];
    if (m === 0) return mass;
    const [x1, y1, x2, y2, score] = tf.unstack(tf.slice(rows, [0, 0], [m, 5]), 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const size = tf.sqrt(tf.mul(tf.relu(tf.sub(x2, x1)), tf.relu(tf.sub(y2, y1))));
    const weight = tf.mul(band(score), tf.cast(tf.less(size, options.smallSize), 'float32'));
    const cx = tf.reshape(tf.div(tf.sub(tf.div(tf.add(x1, x2), 2), letterbox.padX), letterbox.scaleX), [1, m]);
    const cy = tf.reshape(tf.div(tf.sub(tf.div(tf.add(y1, y2), 2), letterbox.padY), letterbox.scaleY), [1, m]);
    const column = (values: number[]): tf.Tensor2D => tf.tensor2d(values, [count, 1]);
    const left = column(tiles.map((t) => t.rect.x));
    const top = column(tiles.map((t) => t.rect.y));
    const right = column(tiles.map((t) => t.rect.x + t.rect.width));
    const bottom = column(tiles.map((t) => t.rect.y + t.rect.height));
    const inside = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(cx, left), tf.less(cx, right)), tf.logicalAnd(tf.greaterEqual(cy, top), tf.less(cy, bottom)));
    const candidates = tf.sum(tf.mul(tf.cast(inside, 'float32'), tf.reshape(weight, [1, m])), 1) as tf.Tensor1D;
    return tf.add(mass, candidates);
  });
}

/**
 * The `count` tiles to run, best evidence first, as [count] int32 indices into the ranked tiles, on the
 * backend. Ties go to the earlier tile (coarser scale first, then row by row), as `topk` keeps them.
 */
export function pickTiles(evidence: tf.Tensor1D, count: number): tf.Tensor1D {
  return tf.tidy(() => tf.topk(evidence, Math.min(count, evidence.shape[0]), true).indices as tf.Tensor1D);
}
