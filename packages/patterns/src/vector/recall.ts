/**
 * Exact nearest neighbours by brute force, and recall@k against them: the anchor that says how many of the true
 * neighbours an approximate (HNSW) index found, and how fast a plain scan would have been.
 */
import type { VectorItem } from './types.ts';
import { dot } from './vectors.ts';

/** Every vector normalised once into one flat array, so a query costs one dot product per item. */
export class ExactSearch {
  readonly dim: number;
  private readonly ids: string[];
  private readonly matrix: Float32Array;

  constructor(items: readonly Pick<VectorItem, 'id' | 'vector'>[]) {
    this.dim = items[0]?.vector.length ?? 0;
    this.ids = items.map((item) => item.id);
    this.matrix = new Float32Array(items.length * this.dim);
    items.forEach((item, row) => {
      const norm = Math.sqrt(dot(item.vector, item.vector)) || 1;
      for (let i = 0; i < this.dim; i++) this.matrix[row * this.dim + i] = (item.vector[i] as number) / norm;
    });
  }

  /** The ids of the k items most cosine-similar to `query`, best first (ties by id, so it is deterministic). */
  topK(query: ArrayLike<number>, k: number): string[] {
    const { dim, matrix, ids } = this;
    const best: { id: string; score: number }[] = [];
    for (let row = 0; row < ids.length; row++) {
      let score = 0;
      const offset = row * dim;
      for (let i = 0; i < dim; i++) score += (matrix[offset + i] as number) * (query[i] as number);
      const id = ids[row] as string;
      const worst = best[best.length - 1];
      if (best.length === k && worst && (score < worst.score || (score === worst.score && id > worst.id))) continue;
      // Insertion into a short sorted list: k is small, so this beats sorting every score.
      let at = best.length;
      while (
        at > 0 &&
        ((best[at - 1]?.score as number) < score ||
          (best[at - 1]?.score === score && (best[at - 1]?.id as string) > id))
      )
        at--;
      best.splice(at, 0, { id, score });
      if (best.length > k) best.pop();
    }
    return best.map((entry) => entry.id);
  }
}

/** The share of the exact top k that the approximate answer found (its first k ids). */
export function recallAtK(approximate: readonly string[], exact: readonly string[], k: number): number {
  const truth = new Set(exact.slice(0, k));
  if (truth.size === 0) return 1;
  return approximate.slice(0, k).filter((id) => truth.has(id)).length / truth.size;
}
