/** What the cache stores for one key: the value plus what XFetch needs to decide on early recomputation. */
export interface CacheEntry<V = unknown> {
  value: V;
  /** How long computing the value took, in milliseconds (XFetch's delta). */
  deltaMs: number;
  /**
   * When the value logically expires, in epoch milliseconds by the writer's clock (the Redis TTL runs longer by the
   * stale grace). Readers compare it with their own clock, so hosts need NTP-synchronised clocks: a skew of a few
   * milliseconds only shifts the early-recompute window.
   */
  expiresAt: number;
}

/** The stored shape, with short field names because every hit parses it. */
export interface StoredEntry {
  v: unknown;
  d: number;
  e: number;
}

export function toStored(entry: CacheEntry): StoredEntry {
  return { v: entry.value, d: entry.deltaMs, e: entry.expiresAt };
}

/** Undefined for anything that is not an entry this cache wrote (another writer's key is a miss, then overwritten). */
export function fromStored(stored: unknown): CacheEntry | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { v, d, e } = stored as Partial<StoredEntry>;
  if (!('v' in stored) || typeof d !== 'number' || typeof e !== 'number') return undefined;
  return { value: v, deltaMs: d, expiresAt: e };
}
