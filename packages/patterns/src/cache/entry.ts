/**
 * What the cache stores for one key: the value plus what XFetch needs to decide on early recomputation. A value of
 * `undefined` is a "not found" answer of the origin, stored only when negative caching is on (`notFoundTtlMs`).
 */
export interface CacheEntry<V = unknown> {
  value: V | undefined;
  /** How long computing the value took, in milliseconds (XFetch's delta). */
  deltaMs: number;
  /**
   * When the value logically expires, in epoch milliseconds by the writer's clock (the Redis TTL runs longer by the
   * stale grace). Readers compare it with their own clock, so hosts need NTP-synchronised clocks: a skew of a few
   * milliseconds only shifts the early-recompute window.
   */
  expiresAt: number;
}

/** The stored shape, with short field names because every hit parses it; `n: 1` (and no `v`) marks "not found". */
export interface StoredEntry {
  v?: unknown;
  n?: 1;
  d: number;
  e: number;
}

export function toStored(entry: CacheEntry): StoredEntry {
  if (entry.value === undefined) return { n: 1, d: entry.deltaMs, e: entry.expiresAt };
  return { v: entry.value, d: entry.deltaMs, e: entry.expiresAt };
}

/** Undefined for anything that is not an entry this cache wrote (another writer's key is a miss, then overwritten). */
export function fromStored(stored: unknown): CacheEntry | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { v, n, d, e } = stored as Partial<StoredEntry>;
  if (!('v' in stored || n === 1) || typeof d !== 'number' || typeof e !== 'number') return undefined;
  return { value: v, deltaMs: d, expiresAt: e };
}
