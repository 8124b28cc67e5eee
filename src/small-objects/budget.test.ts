import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownMap } from '../maps.js';
import { computeLetterbox } from '../preprocess/letterbox.js';
import { cellMembership, pickTiles, tileEvidence } from './budget.js';
import { planTiles } from './plan.js';

describe('budget: unresolved evidence per tile', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // A 64×64 frame, a 64² model (no letterbox), scale 2: four 32 px tiles in a 2 × 2 grid (overlap 0).
  const letterbox = computeLetterbox(64, 64, 64, 64);
  const tiles = planTiles(64, 64, 64, 64, [2], 0).slice(1);

  it('assigns map cells to the tiles their points fall in', () => {
    // 8×8 map, stride 8, corner origin: cell (x, y) is the point (8x, 8y).
    const mask = cellMembership(tiles, 8, 8, 8, 'corner', letterbox);
    const cellsOf = (t: number): number[] => [...mask.subarray(t * 64, (t + 1) * 64).keys()].filter((i) => mask[t * 64 + i] === 1);
    expect(cellsOf(0)).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
    expect(cellsOf(3)).toEqual([36, 37, 38, 39, 44, 45, 46, 47, 52, 53, 54, 55, 60, 61, 62, 63]);
  });

  it('ranks tiles by heatmap mass below threshold plus small low-confidence candidates, on the backend', async () => {
    const before = tf.memory().numTensors;
    const values = new Float32Array(64);
    values[0] = 0.9; // tile 0: resolved (≥ high), not evidence
    values[4 + 8 * 5] = 0.2; // tile 3: 0.2 + 0.25
    values[5 + 8 * 5] = 0.25;
    values[1 + 8 * 6] = 0.1; // tile 2: 0.1
    values[7] = 0.01; // tile 1: below low
    const heatmap = ownMap(tf.tensor3d(values, [8, 8, 1]), 8, 'corner');
    // Candidates in input px: small & low (counts 0.28 in tile 1), small & resolved, big & low.
    const rows = tf.tensor2d(
      [
        [40, 4, 50, 14, 0.28, 0, 0, 0],
        [40, 4, 50, 14, 0.8, 0, 0, 0],
        [0, 32, 60, 62, 0.2, 0, 0, 0],
      ],
      [3, 8],
    );
    const evidence = tileEvidence(heatmap, rows, letterbox, tiles, { low: 0.05, high: 0.3, smallSize: 32 });
    const got = Array.from(await evidence.data());
    expect(got[0]).toBeCloseTo(0, 6);
    expect(got[1]).toBeCloseTo(0.28, 6);
    expect(got[2]).toBeCloseTo(0.1, 6);
    expect(got[3]).toBeCloseTo(0.45, 6);
    const picked = pickTiles(evidence, 2);
    expect(Array.from(await picked.data())).toEqual([3, 1]);
    tf.dispose([evidence, picked, rows]);
    heatmap.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('prefers the earlier tile on ties', async () => {
    const evidence = tf.tensor1d([0, 1, 1, 0.5]);
    const picked = pickTiles(evidence, 3);
    expect(Array.from(await picked.data())).toEqual([1, 2, 3]);
    tf.dispose([evidence, picked]);
  });
});
