/**
 * Minimum-cost assignment (the Hungarian method with row/column potentials, Kuhn–Munkres in the
 * shortest-augmenting-path form of Jonker–Volgenant), O(n²·m) for n ≤ m, on a row-major cost matrix.
 *
 * Unmatched rows and columns: every cost is clipped to `unmatchedCost` and any pair that costs that much
 * or more is left unmatched. Clipping is exactly the usual extension of the matrix with dummy rows and
 * columns costing `unmatchedCost / 2` each (what `lapjv(extend_cost=True, cost_limit=…)` solves): both
 * minimise Σ_matched (cost − unmatchedCost), so a pair is matched only when that lowers the total. With a
 * huge `unmatchedCost` (1e8, the MOTChallenge devkit's) the most pairs are matched first, then the
 * cheapest. Forbidden pairs: `Infinity` (or anything ≥ `unmatchedCost`).
 *
 * Buffers grow to the largest problem seen and are reused: solving allocates nothing after that.
 */
export class AssignmentSolver {
  /** `rowToColumn[i]`: column matched to row i, or −1. Valid until the next `solve()`. */
  rowToColumn = new Int32Array(0);
  /** `columnToRow[j]`: row matched to column j, or −1. Valid until the next `solve()`. */
  columnToRow = new Int32Array(0);

  // 1-based work arrays over the longer side (+1 for the virtual start column 0).
  private rowPotential = new Float64Array(0);
  private columnPotential = new Float64Array(0);
  private owner = new Int32Array(0); // owner[j]: 1-based row on column j (0: free)
  private way = new Int32Array(0);
  private minSlack = new Float64Array(0);
  private used = new Uint8Array(0);

  /**
   * Solves the n × m problem `cost[i·m + j]` (row i, column j) and returns the number of matched pairs.
   * `rowToColumn` / `columnToRow` hold the matching (length ≥ n / ≥ m; entries past n / m are stale).
   */
  solve(cost: ArrayLike<number>, rows: number, columns: number, unmatchedCost: number): number {
    this.reserve(rows, columns);
    this.rowToColumn.fill(-1, 0, rows);
    this.columnToRow.fill(-1, 0, columns);
    if (rows === 0 || columns === 0) return 0;
    // The method assigns every row of the shorter side: run it with rows ≤ columns, transposed if needed.
    const transposed = rows > columns;
    const n = transposed ? columns : rows;
    const m = transposed ? rows : columns;
    // Element (i, j) of the problem as solved (0-based) lies at cost[i·rowStride + j·columnStride].
    const rowStride = transposed ? 1 : columns;
    const columnStride = transposed ? columns : 1;
    const u = this.rowPotential;
    const v = this.columnPotential;
    const p = this.owner;
    const way = this.way;
    const minv = this.minSlack;
    const used = this.used;
    u.fill(0, 0, n + 1);
    v.fill(0, 0, m + 1);
    p.fill(0, 0, m + 1);
    way.fill(0, 0, m + 1);
    for (let i = 1; i <= n; i++) {
      // Grow a shortest augmenting path from row i through the column tree.
      p[0] = i;
      let j0 = 0;
      minv.fill(Infinity, 0, m + 1);
      used.fill(0, 0, m + 1);
      do {
        used[j0] = 1;
        const i0 = p[j0]!;
        let delta = Infinity;
        let j1 = 0;
        const ui0 = u[i0]!;
        const rowStart = (i0 - 1) * rowStride - columnStride; // + j·columnStride: column j (1-based)
        for (let j = 1; j <= m; j++) {
          if (used[j]) continue;
          const reduced = Math.min(cost[rowStart + j * columnStride]!, unmatchedCost) - ui0 - v[j]!;
          if (reduced < minv[j]!) {
            minv[j] = reduced;
            way[j] = j0;
          }
          if (minv[j]! < delta) {
            delta = minv[j]!;
            j1 = j;
          }
        }
        for (let j = 0; j <= m; j++) {
          if (used[j]) {
            u[p[j]!]! += delta;
            v[j]! -= delta;
          } else {
            minv[j]! -= delta;
          }
        }
        j0 = j1;
      } while (p[j0] !== 0);
      // Flip the path.
      do {
        const j1 = way[j0]!;
        p[j0] = p[j1]!;
        j0 = j1;
      } while (j0 !== 0);
    }
    let matched = 0;
    for (let j = 1; j <= m; j++) {
      const i = p[j]!;
      if (i === 0 || !(cost[(i - 1) * rowStride + (j - 1) * columnStride]! < unmatchedCost)) continue;
      const row = transposed ? j - 1 : i - 1;
      const column = transposed ? i - 1 : j - 1;
      this.rowToColumn[row] = column;
      this.columnToRow[column] = row;
      matched++;
    }
    return matched;
  }

  private reserve(rows: number, columns: number): void {
    if (this.rowToColumn.length < rows) this.rowToColumn = new Int32Array(grow(rows));
    if (this.columnToRow.length < columns) this.columnToRow = new Int32Array(grow(columns));
    const side = Math.max(rows, columns) + 1;
    if (this.owner.length < side) {
      const size = grow(side);
      this.rowPotential = new Float64Array(size);
      this.columnPotential = new Float64Array(size);
      this.owner = new Int32Array(size);
      this.way = new Int32Array(size);
      this.minSlack = new Float64Array(size);
      this.used = new Uint8Array(size);
    }
  }
}

/** Capacity for `needed` items: powers of two from 16, so buffers are reallocated a handful of times at most. */
export function grow(needed: number): number {
  let size = 16;
  while (size < needed) size *= 2;
  return size;
}
