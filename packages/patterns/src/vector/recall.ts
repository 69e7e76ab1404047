/**
 * Exact nearest neighbours by brute force, and recall@k against them: the anchor that says how many of the true
 * neighbours an approximate (HNSW) index found.
 */
import { cosineSimilarity } from './vectors.ts';

export interface Labelled {
  id: string;
  vector: ArrayLike<number>;
}

/** The k items most cosine-similar to `query`, best first (ties by id, so the result is deterministic). */
export function exactTopK(items: readonly Labelled[], query: ArrayLike<number>, k: number): string[] {
  const scored = items.map((item) => ({ id: item.id, score: cosineSimilarity(item.vector, query) }));
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return scored.slice(0, k).map((s) => s.id);
}

/** The share of the exact top k that the approximate answer found (its first k ids). */
export function recallAtK(approximate: readonly string[], exact: readonly string[], k: number): number {
  const truth = new Set(exact.slice(0, k));
  if (truth.size === 0) return 1;
  return approximate.slice(0, k).filter((id) => truth.has(id)).length / truth.size;
}
