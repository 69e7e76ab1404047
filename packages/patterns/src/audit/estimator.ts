/**
 * Scaling a sampled audit to the whole keyspace, with its error stated. The keyspace is split in two strata by a
 * full sizing pass (size-pass.ts): the tail (keys at or over a size threshold), inspected in full and counted
 * exactly, and the rest, of N keys, of which a simple random sample without replacement of n was inspected. Only
 * the second is estimated; its values are bounded by the threshold, so the normal interval holds even when a few
 * huge keys carry much of the memory (they are all in the tail). For a group of keys (a prefix):
 *
 *   count estimate  N·c/n          ± z·N·√(p(1−p)/n)·fpc      with p = c/n
 *   bytes estimate  N·s/n          ± z·N·√(var/n)·fpc         var: sample variance of y (y = bytes if in group, else 0)
 *   fpc = √((N−n)/(N−1)), the finite-population correction: the margin is 0 when every key was inspected.
 */
import type { Estimate } from './types.ts';

/** Two-sided 95% normal quantile. */
export const Z95 = 1.959964;

export interface GroupSums {
  /** Keys of the group among those inspected. */
  count: number;
  /** Sum of their bytes, and of the squares. */
  sum: number;
  sumSquares: number;
}

export interface Sample {
  /** Keys inspected. */
  inspected: number;
  /** Keys in the population (DBSIZE, or the inspected count when it is larger). */
  population: number;
}

function finitePopulationCorrection({ inspected: n, population: N }: Sample): number {
  return N > 1 ? Math.sqrt(Math.max(0, N - n) / (N - 1)) : 0;
}

function interval(value: number, margin: number): Estimate {
  return { value: Math.round(value), low: Math.max(0, Math.round(value - margin)), high: Math.round(value + margin) };
}

export function estimateCount(group: GroupSums, sample: Sample): Estimate {
  const { inspected: n, population: N } = sample;
  if (n === 0) return interval(0, 0);
  const p = group.count / n;
  return interval(N * p, Z95 * N * Math.sqrt((p * (1 - p)) / n) * finitePopulationCorrection(sample));
}

/** A group's estimate: its tail keys (counted exactly) plus the estimate of its sampled part. */
export function plusExact(estimate: Estimate, exact: number): Estimate {
  return { value: estimate.value + exact, low: estimate.low + exact, high: estimate.high + exact };
}

export function estimateSum(group: GroupSums, sample: Sample): Estimate {
  const { inspected: n, population: N } = sample;
  if (n === 0) return interval(0, 0);
  const mean = group.sum / n;
  const variance = n > 1 ? Math.max(0, (group.sumSquares - n * mean * mean) / (n - 1)) : 0;
  return interval(N * mean, Z95 * N * Math.sqrt(variance / n) * finitePopulationCorrection(sample));
}
