/**
 * Calibration: from labelled pairs of prompts (same answer or not), the precision and recall a threshold would give,
 * so a user picks the semantic cache's threshold from data. A pair scoring at or above the threshold would be a hit:
 * precision is the share of those hits whose prompts really share an answer, recall the share of same-answer pairs
 * that hit. Similarity is (1 + cos) / 2 on the embedder's full-precision vectors, as the cache scores; the vector
 * set's Q8 quantization moves the score it computes slightly, so do not pick a threshold right on a pair's score.
 */
import type { Embedder } from '../vector/embedders/embedder.ts';
import { cosineSimilarity, similarityFromCosine } from '../vector/vectors.ts';

export interface LabelledPair {
  a: string;
  b: string;
  /** Would one answer serve both prompts? */
  same: boolean;
}

export interface ScoredPair {
  similarity: number;
  same: boolean;
}

export interface ThresholdRow {
  threshold: number;
  /** Pairs at or above the threshold that are the same; undefined when no pair reaches it. */
  precision: number | undefined;
  /** Same-answer pairs at or above the threshold; undefined when the set has none. */
  recall: number | undefined;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** One row per threshold: the counts, precision and recall that threshold gives on these scored pairs. */
export function precisionRecall(pairs: readonly ScoredPair[], thresholds: readonly number[]): ThresholdRow[] {
  const positives = pairs.filter((p) => p.same).length;
  return thresholds.map((threshold) => {
    let truePositives = 0;
    let falsePositives = 0;
    for (const pair of pairs) {
      if (pair.similarity < threshold) continue;
      if (pair.same) truePositives++;
      else falsePositives++;
    }
    const hits = truePositives + falsePositives;
    return {
      threshold,
      precision: hits ? truePositives / hits : undefined,
      recall: positives ? truePositives / positives : undefined,
      truePositives,
      falsePositives,
      falseNegatives: positives - truePositives,
    };
  });
}

/** The lowest threshold whose precision is at least `minPrecision` (the one with the most recall), if any. */
export function pickThreshold(rows: readonly ThresholdRow[], minPrecision: number): ThresholdRow | undefined {
  return [...rows]
    .sort((x, y) => x.threshold - y.threshold)
    .find((row) => row.precision !== undefined && row.precision >= minPrecision);
}

/** Embeds every prompt of the pairs (in batches of `batch`) and scores each pair. */
export async function scorePairs(
  embedder: Embedder,
  pairs: readonly LabelledPair[],
  batch = 64,
): Promise<ScoredPair[]> {
  const texts = pairs.flatMap((p) => [p.a, p.b]);
  const vectors: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batch) vectors.push(...(await embedder.embed(texts.slice(i, i + batch))));
  return pairs.map((pair, i) => ({
    similarity: similarityFromCosine(
      cosineSimilarity(vectors[2 * i] as Float32Array, vectors[2 * i + 1] as Float32Array),
    ),
    same: pair.same,
  }));
}
