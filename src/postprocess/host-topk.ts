/**
 * Top-K selection in plain JS, for decoders that run where the model's outputs already lie in main
 * memory (the WASM and CPU backends): one pass over the values with a K-element min-heap, so a value
 * costs one comparison unless it beats the K-th best so far.
 */

/** The K best of a scan: `scores` descending, `indices` the matching positions (ties: lower index first). */
export interface TopK {
  scores: Float32Array;
  indices: Int32Array;
}

/**
 * The `k` largest `values[i]` at or above `minScore` for which `accept(i)` holds (all when absent),
 * sorted by score descending and, among equal scores, by index ascending (as tfjs's `topk`). `accept`
 * runs only for values that would enter the current top-K, so an expensive test (a 3×3 peak check)
 * costs little.
 */
export function topKOf(values: ArrayLike<number>, k: number, accept?: (index: number) => boolean, minScore = -Infinity, start = 0, end = values.length): TopK {
  const capacity = Math.max(0, Math.min(k, end - start));
  // Min-heap on (score, −index): the root is the worst kept entry (lowest score, highest index).
  const heapScores = new Float32Array(capacity);
  const heapIndices = new Int32Array(capacity);
  let size = 0;
  const worse = (a: number, b: number): boolean =>
    heapScores[a]! < heapScores[b]! || (heapScores[a] === heapScores[b] && heapIndices[a]! > heapIndices[b]!);
  const swap = (a: number, b: number): void => {
    const s = heapScores[a]!;
    heapScores[a] = heapScores[b]!;
    heapScores[b] = s;
    const i = heapIndices[a]!;
    heapIndices[a] = heapIndices[b]!;
    heapIndices[b] = i;
  };
  const siftDown = (from: number): void => {
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let worst = at;
      if (left < size && worse(left, worst)) worst = left;
      if (right < size && worse(right, worst)) worst = right;
      if (worst === at) return;
      swap(at, worst);
      at = worst;
    }
  };
  if (capacity > 0) {
    for (let i = start; i < end; i++) {
      const value = values[i]!;
      if (size === capacity) {
        // Scanning in index order, an equal score never displaces a kept one (it has a higher index).
        if (!(value > heapScores[0]!)) continue;
        if (accept && !accept(i)) continue;
        heapScores[0] = value;
        heapIndices[0] = i;
        siftDown(0);
      } else {
        if (!(value >= minScore) || (accept && !accept(i))) continue;
        heapScores[size] = value;
        heapIndices[size] = i;
        size++;
        for (let at = size - 1; at > 0; ) {
          const parent = (at - 1) >> 1;
          if (!worse(at, parent)) break;
          swap(at, parent);
          at = parent;
        }
      }
    }
  }
  // Heap → sorted, best first.
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => heapScores[b]! - heapScores[a]! || heapIndices[a]! - heapIndices[b]!);
  return { scores: Float32Array.from(order, (i) => heapScores[i]!), indices: Int32Array.from(order, (i) => heapIndices[i]!) };
}
