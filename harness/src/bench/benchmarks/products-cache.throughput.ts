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
