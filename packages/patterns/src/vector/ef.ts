/**
 * The search exploration factor (VSIM `EF`) a vector set needs for a recall target at its size. HNSW finds fewer of
 * the true neighbours as the graph grows at a fixed EF (the server's default is 100): measured here, recall@10 of a
 * Q8 set falls below 0.95 between 30k and 100k vectors. So the EF is chosen from a measured table: for the
 * smallest measured size at or above the index's size, the smallest measured EF whose recall meets the target.
 *
 * The table is `npm run bench:vector-100k` (harness/src/bench/benchmarks/vector-search.bench.ts): 768-dimensional
 * embedding-like vectors (a random 32-dimensional subspace plus noise), Q8, M 16, EF 200 at insertion, k = 10,
 * 200 queries, recall against exact brute force. Real embeddings differ; a caller who measured their own data sets
 * `efSearch` (or `ef` per search) instead.
 */

/** recall@10 at each EF, per index size (rows in increasing size). */
export interface EfCalibrationRow {
  size: number;
  recallByEf: Record<number, number>;
}

/**
 * Measured on 2026-11-30 (Redis 8.0.2, 2 cores under load from other work: the recall is what matters here,
 * latencies in the README). 200 queries give each figure a sampling error of about ±0.01.
 */
export const EF_CALIBRATION: readonly EfCalibrationRow[] = [
  { size: 10_000, recallByEf: { 100: 0.9875, 150: 0.9915, 200: 0.9935, 300: 0.9935, 400: 0.9935, 800: 0.9935 } },
  { size: 30_000, recallByEf: { 100: 0.9645, 150: 0.987, 200: 0.992, 300: 0.994, 400: 0.994, 800: 0.9945 } },
  { size: 100_000, recallByEf: { 100: 0.9385, 150: 0.971, 200: 0.9825, 300: 0.9915, 400: 0.993, 800: 0.995 } },
];

/**
 * The EF for an index of `size` vectors to reach `recall` (0 < recall <= 1) on k neighbours. Past the largest
 * measured size, the largest size's row is used (the table says nothing beyond it); a target no measured EF
 * meets gets the largest measured EF. Never below k: the server searches at least k candidates anyway.
 */
export function efForRecall(
  size: number,
  recall: number,
  k: number,
  table: readonly EfCalibrationRow[] = EF_CALIBRATION,
): number {
  if (!(recall > 0 && recall <= 1)) throw new RangeError(`recall must be in (0, 1], got ${recall}`);
  const row = table.find((r) => r.size >= size) ?? table[table.length - 1];
  if (!row) throw new Error('the EF calibration table is empty');
  const measured = Object.entries(row.recallByEf)
    .map(([ef, r]) => ({ ef: Number(ef), recall: r }))
    .sort((a, b) => a.ef - b.ef);
  const enough = measured.find((m) => m.recall >= recall) ?? measured[measured.length - 1];
  return Math.max(k, enough?.ef ?? k);
}
