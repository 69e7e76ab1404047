/**
 * Alternating rounds for the products-cache benchmark: every variant runs once per round, in turn, after one
 * warm-up round that is not counted, so a busy moment on a shared machine hits all of them alike. A ratio is taken
 * within each round (variant / anchor of that same round) and reported as the median over the rounds, with the
 * lowest and highest as its spread.
 */
import { throughput } from '../benchmark.ts';

export interface RoundsResult {
  /** Median ops/s of each variant over the counted rounds. */
  median: Record<string, number>;
  /** Per variant, the median, lowest and highest of its per-round ratio to the anchor. */
  ratio: Record<string, { median: number; min: number; max: number }>;
  rounds: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs `variants` (the first is the anchor) `rounds` times each, alternating, `roundMs` each, `inFlight` at a time. */
export async function alternatingRounds(
  variants: Record<string, () => Promise<unknown>>,
  { rounds, roundMs, inFlight }: { rounds: number; roundMs: number; inFlight: number },
): Promise<RoundsResult> {
  const names = Object.keys(variants);
  const anchor = names[0] as string;
  const perRound: Record<string, number>[] = [];
  for (let round = 0; round <= rounds; round++) {
    const measured: Record<string, number> = {};
    // Each round also rotates who goes first, so no variant always follows the same one.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      measured[name] = await throughput(variants[name] as () => Promise<unknown>, inFlight, roundMs);
    }
    if (round > 0) perRound.push(measured); // round 0 warms up (JIT, connections, server caches)
  }
  const medianOps: Record<string, number> = {};
  const ratio: RoundsResult['ratio'] = {};
  for (const name of names) {
    medianOps[name] = median(perRound.map((r) => r[name] as number));
    const ratios = perRound.map((r) => (r[name] as number) / (r[anchor] as number));
    ratio[name] = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  }
  return { median: medianOps, ratio, rounds };
}
