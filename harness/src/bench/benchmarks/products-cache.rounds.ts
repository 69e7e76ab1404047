/**
 * Alternating rounds for the products-cache benchmark: every variant runs once per round, in turn, after one
 * warm-up round that is not counted, so a busy moment on a shared machine hits all of them alike. A ratio is taken
 * within each round (variant / anchor of that same round) and reported as the median over the rounds, with the
 * lowest and highest as its spread.
 */
/**
 * Operations per second of `op` from `concurrency` loops for about `durationMs`. Each loop reads the clock once per
 * 32 operations, not per operation as `benchmark.ts`'s `throughput` does: reading a clock costs 150 to 400 ns on
 * this kind of host, which is noise against a network round trip but a large share of an in-process L1 hit.
 */
export async function throughput(op: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<number> {
  let count = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      do {
        for (let i = 0; i < 32; i++) await op();
        count += 32;
      } while (performance.now() < deadline);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

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
