/** What `createCache(client, options)` takes, and the defaults of every option that has one. */
import type { CacheCodecName } from './codec.ts';
import type { RandomSource } from './xfetch.ts';

export interface CacheOptions {
  /** The `{service}` part of every key: keys are `{namespace}:{key}`. */
  namespace?: string;
  /** How long a value is fresh, in ms. */
  ttlMs?: number;
  /** How long past its expiry a value may still be served while the origin fails, in ms; 0 turns it off. */
  staleGraceMs?: number;
  /** XFetch's beta: above 1 recomputes earlier, below 1 later. */
  beta?: number;
  /** The largest stored document, in bytes: a larger computed value is answered uncached, `set` rejects it. */
  maxValueBytes?: number;
  /**
   * Negative caching: how long the origin's "not found" (`undefined`) is cached, in ms, so repeated reads of a
   * missing key do not each call the origin. 0 (the default) caches nothing for it. A write that creates the item
   * must `delete` its key, as any write does.
   */
  notFoundTtlMs?: number;
  /** How long a Redis read or write may take, in ms, before a read answers from the origin instead. */
  timeoutMs?: number;
  /**
   * How entries are stored: `json` documents (needs the server's JSON capability) or a `string envelope`
   * (`SET … PX`). Default: probed once, JSON where the server has it.
   */
  codec?: CacheCodecName;
  /** XFetch's random source, in (0, 1]. Default `1 - Math.random()`. */
  random?: RandomSource;
  /** The clock, in epoch ms (tests move it to cross an expiry without waiting). Default `Date.now`. */
  now?: () => number;
  /** Called with each (redacted) Redis error the cache absorbed, e.g. to log it. */
  onRedisError?: (error: Error) => void;
}

/** Per-call options of `getOrCompute`, `getMany` and `set`. */
export interface CacheTtlOptions {
  /** This key's freshness in ms, instead of the cache's `ttlMs`. */
  ttlMs?: number;
}

export const CACHE_DEFAULTS = {
  namespace: 'cache',
  ttlMs: 300_000,
  staleGraceMs: 60_000,
  beta: 1,
  maxValueBytes: 100 * 1024,
  timeoutMs: 500,
  notFoundTtlMs: 0,
} as const;

/** The numeric options with their defaults; a RangeError names the first one out of range. */
export function numericOptions(options: CacheOptions) {
  const resolved = {
    ttlMs: options.ttlMs ?? CACHE_DEFAULTS.ttlMs,
    staleGraceMs: options.staleGraceMs ?? CACHE_DEFAULTS.staleGraceMs,
    beta: options.beta ?? CACHE_DEFAULTS.beta,
    maxValueBytes: options.maxValueBytes ?? CACHE_DEFAULTS.maxValueBytes,
    timeoutMs: options.timeoutMs ?? CACHE_DEFAULTS.timeoutMs,
    notFoundTtlMs: options.notFoundTtlMs ?? CACHE_DEFAULTS.notFoundTtlMs,
  };
  const { staleGraceMs, notFoundTtlMs, ...positive } = resolved;
  const invalid = Object.entries(positive).find(([, value]) => !(value > 0));
  if (invalid) throw new RangeError(`cache option ${invalid[0]} must be a number > 0, got ${invalid[1]}`);
  const negative = Object.entries({ staleGraceMs, notFoundTtlMs }).find(([, value]) => !(value >= 0));
  if (negative) throw new RangeError(`cache option ${negative[0]} must be a number >= 0, got ${negative[1]}`);
  return resolved;
}

/** A per-call TTL: the cache's own unless given, and then > 0. */
export function ttlOf(options: CacheTtlOptions | undefined, fallback: number): number {
  const ttlMs = options?.ttlMs ?? fallback;
  if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be a number > 0, got ${ttlMs}`);
  return ttlMs;
}
