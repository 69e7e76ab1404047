/** Counters an app reads to see what its cache does (`cache.stats()`); plain numbers, cheap to bump. */
export interface CacheStats {
  /** Reads answered with a fresh value, from Redis or from the near cache (see `l1Hits`). */
  hits: number;
  /** Of those, the reads answered from the near cache (L1) without asking Redis. */
  l1Hits: number;
  /** Keys Redis reported modified to the near cache, which dropped them. */
  l1Invalidations: number;
  /** Times the near cache was emptied: its invalidation connection stopped or missed a PING, or the server was flushed. */
  l1Flushes: number;
  /** Reads that found no fresh value and waited for the origin (alone, or sharing a call: see `coalesced`). */
  misses: number;
  /** Misses answered with the expired value because the origin failed (stale-if-error). */
  stale: number;
  /** XFetch recomputations started before the expiry, in the background. */
  earlyRefreshes: number;
  /** Misses and early refreshes that shared a recomputation of this process instead of starting another. */
  coalesced: number;
  /** Origin calls made (misses, expiries and early refreshes; one per coalesced group). */
  originCalls: number;
  /** Origin calls that failed. */
  originErrors: number;
  /** Redis commands that failed or timed out; the cache then answers from the origin. */
  redisErrors: number;
  /** Values not stored because they were over `maxValueBytes` (answered uncached, or `set` rejected). */
  oversize: number;
}

export function emptyStats(): CacheStats {
  return {
    hits: 0,
    l1Hits: 0,
    l1Invalidations: 0,
    l1Flushes: 0,
    misses: 0,
    stale: 0,
    earlyRefreshes: 0,
    coalesced: 0,
    originCalls: 0,
    originErrors: 0,
    redisErrors: 0,
    oversize: 0,
  };
}
