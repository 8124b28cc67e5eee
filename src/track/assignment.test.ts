import { describe, expect, it } from 'vitest';
import { AssignmentSolver } from './assignment.js';
import { mulberry32 } from '../../test/random.js';

/** Σ(cost − limit) over matched pairs: what the solver minimises (each pair must cost < limit). */
function objective(cost: number[][], pairs: [number, number][], limit: number): number {
  return pairs.reduce((sum, [r, c]) => sum + (cost[r]![c]! - limit), 0);
}

/** Every partial matching, by brute force: the least objective. */
function bruteForce(cost: number[][], limit: number): number {
  const rows = cost.length;
  const columns = cost[0]?.length ?? 0;
  let best = 0;
  const usedColumns = new Array<boolean>(columns).fill(false);
  const walk = (r: number, sum: number) => {
    if (r === rows) {
      best = Math.min(best, sum);
      return;
    }
    walk(r + 1, sum); // row r unmatched
    for (let c = 0; c < columns; c++) {
      if (usedColumns[c] || !(cost[r]![c]! < limit)) continue;
      usedColumns[c] = true;
      walk(r + 1, sum + cost[r]![c]! - limit);
      usedColumns[c] = false;
    }
  };
  walk(0, 0);
  return best;
}

function solve(solver: AssignmentSolver, cost: number[][], limit: number): [number, number][] {
  const rows = cost.length;
  const columns = cost[0]?.length ?? 0;
  solver.solve(cost.flat(), rows, columns, limit);
  const pairs: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    const c = solver.rowToColumn[r]!;
    if (c >= 0) {
      expect(solver.columnToRow[c]).toBe(r);
      pairs.push([r, c]);
    }
  }
  return pairs;
}


describe('AssignmentSolver', () => {
  it('finds the optimal square assignment', () => {
    // The six permutations (row → column) cost: 012: 4+0+2 = 6, 021: 4+5+2 = 11, 102: 1+2+2 = 5,
    // 120: 1+5+3 = 9, 201: 3+2+2 = 7, 210: 3+0+3 = 6. The best is 102 (5); greedy cheapest-first would take
    // (1,1) = 0 first and end at 6.
    const cost = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    expect(solve(new AssignmentSolver(), cost, 1e8)).toEqual([
      [0, 1],
      [1, 0],
      [2, 2],
    ]);
  });

  it('solves more rows than columns (transposed) and more columns than rows', () => {
    // 3 rows, 2 columns: rows 0 and 2 are cheapest on columns 1 and 0 (1 + 1 = 2); row 1 is left out.
    const tall = [
      [9, 1],
      [5, 5],
      [1, 9],
    ];
    expect(solve(new AssignmentSolver(), tall, 1e8)).toEqual([
      [0, 1],
      [2, 0],
    ]);
    // Its transpose: column 1 is left out.
    const wide = [
      [9, 5, 1],
      [1, 5, 9],
    ];
    expect(solve(new AssignmentSolver(), wide, 1e8)).toEqual([
      [0, 2],
      [1, 0],
    ]);
  });

  it('leaves pairs at or above the unmatched cost unmatched, and forbidden ones (Infinity)', () => {
    // Limit 0.8: only (0,0) = 0.1 is below it; (1,1) = 0.95 and (0,1), (1,0) = 0.9 are not.
    expect(solve(new AssignmentSolver(), [[0.1, 0.9], [0.9, 0.95]], 0.8)).toEqual([[0, 0]]);
    // Exactly the limit: unmatched.
    expect(solve(new AssignmentSolver(), [[0.8]], 0.8)).toEqual([]);
    expect(solve(new AssignmentSolver(), [[Infinity, 0.3], [Infinity, Infinity]], 1)).toEqual([[0, 1]]);
  });

  it('trades unmatched pairs against costly ones as the extended (dummy) matrix does', () => {
    // Limit 1. Matching (0,0) alone: 0.5 − 1 = −0.5. Matching (0,1) and (1,0): (0.6 − 1) + (0.6 − 1) = −0.8,
    // better although each pair costs more than (0,0).
    expect(solve(new AssignmentSolver(), [[0.5, 0.6], [0.6, 5]], 1)).toEqual([
      [0, 1],
      [1, 0],
    ]);
    // Limit 0.7, (1,0) at 0.65: (0,0) alone gives 0.5 − 0.7 = −0.2; the two pairs (0.6 − 0.7) + (0.65 − 0.7)
    // = −0.15; (1,1) = 5 may not match. (0,0) alone wins.
    expect(solve(new AssignmentSolver(), [[0.5, 0.6], [0.65, 5]], 0.7)).toEqual([[0, 0]]);
  });

  it('matches brute force on random partial problems, reusing its buffers across sizes', () => {
    const next = mulberry32(7);
    const solver = new AssignmentSolver();
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(next() * 6);
      const columns = 1 + Math.floor(next() * 6);
      const limit = 0.3 + next();
      const cost = Array.from({ length: rows }, () => Array.from({ length: columns }, () => (next() < 0.15 ? Infinity : next())));
      const pairs = solve(solver, cost, limit);
      for (const [r, c] of pairs) expect(cost[r]![c]!).toBeLessThan(limit);
      expect(objective(cost, pairs, limit)).toBeCloseTo(bruteForce(cost, limit), 9);
    }
  });

  it('handles empty problems', () => {
    const solver = new AssignmentSolver();
    expect(solver.solve([], 0, 5, 1)).toBe(0);
    expect(solver.solve([], 3, 0, 1)).toBe(0);
    expect([...solver.rowToColumn.subarray(0, 3)]).toEqual([-1, -1, -1]);
  });
});
