/**
 * In-process sharing of upstream calls between near-identical misses: a miss first looks for a call in flight in
 * the same scope whose prompt is within the threshold of its own, and waits for that one instead of starting
 * another. The cache's key coalescing does the same for equal keys; here "equal" is "similar enough".
 * Bounded by the calls in flight (each a vector and a promise, dropped when it settles).
 */
import { cosineSimilarity, similarityFromCosine } from '../vector/vectors.ts';

interface InFlight {
  vector: Float32Array;
  result: Promise<string>;
}

export class NearDuplicateCalls {
  private readonly byScope = new Map<string, InFlight[]>();

  /** The call in flight in this scope most similar to `vector`, at or above `threshold`, with its similarity. */
  find(
    scope: string,
    vector: Float32Array,
    threshold: number,
  ): { result: Promise<string>; similarity: number } | undefined {
    let best: { result: Promise<string>; similarity: number } | undefined;
    for (const call of this.byScope.get(scope) ?? []) {
      const similarity = similarityFromCosine(cosineSimilarity(vector, call.vector));
      if (similarity >= threshold && (!best || similarity > best.similarity))
        best = { result: call.result, similarity };
    }
    return best;
  }

  /** Registers `result` until it settles. */
  add(scope: string, vector: Float32Array, result: Promise<string>): void {
    const calls = this.byScope.get(scope) ?? [];
    const call = { vector, result };
    calls.push(call);
    this.byScope.set(scope, calls);
    const done = () => {
      const left = (this.byScope.get(scope) ?? []).filter((c) => c !== call);
      if (left.length) this.byScope.set(scope, left);
      else this.byScope.delete(scope);
    };
    result.then(done, done);
  }

  get size(): number {
    let n = 0;
    for (const calls of this.byScope.values()) n += calls.length;
    return n;
  }
}
