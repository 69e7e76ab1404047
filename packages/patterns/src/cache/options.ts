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
  /**
   * Called with each (redacted) Redis error the cache absorbed, e.g. to log it, and with the near cache's connection
   * troubles (its message starts with `near cache:`).
   */
  onRedisError?: (error: Error) => void;
  /**
   * The near cache (L1), off by default: `true` or its options keep values read from Redis in this process and drop
   * each one as soon as Redis reports its key modified (server-assisted client-side caching, `CLIENT TRACKING`).
   * It opens two more connections per server (per master on a cluster); call `cache.close()` on shutdown.
   */
  l1?: boolean | L1Options;
}

/** Options of the near cache (the `l1` option). */
export interface L1Options {
  /** The most values kept in this process. */
  maxEntries?: number;
  /** The most memory they may take, counted as 2 bytes per character of key and stored document. */
  maxBytes?: number;
  /**
   * `keys` (default): Redis remembers which keys this process read and reports only those. `bcast`: Redis reports
   * every key under the cache's namespace that anyone modifies, remembering nothing per client (more messages, no
   * server memory per key read).
   */
  tracking?: 'keys' | 'bcast';
  /**
   * How often the invalidation connection is checked with a PING, in ms; one unanswered within `timeoutMs` empties
   * L1 (invalidations might be stuck behind a frozen server or a silent network).
   */
  heartbeatMs?: number;
  /**
   * L1 decodes each document once, when it reads it from Redis. false (default): every L1 hit answers a copy of the
   * value (plain objects and arrays copied; strings, numbers, booleans and null need none), so each caller may change
   * its own. true: the entry is deep-frozen and every L1 hit answers that same frozen value (no copy per hit: 2 to
   * 10% more hits per second than the default for the benchmark's flat product); changing it throws a TypeError.
   * Values read from Redis or computed stay yours.
   */
  sharedValues?: boolean;
}

export const L1_DEFAULTS = {
  maxEntries: 10_000,
  maxBytes: 32 * 1024 * 1024,
  tracking: 'keys',
  heartbeatMs: 1000,
  sharedValues: false,
} as const;

/** The near cache's options with their defaults, or undefined when it is off; a RangeError for one out of range. */
export function l1Options(option: CacheOptions['l1']): Required<L1Options> | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  const resolved = {
    maxEntries: given.maxEntries ?? L1_DEFAULTS.maxEntries,
    maxBytes: given.maxBytes ?? L1_DEFAULTS.maxBytes,
    tracking: given.tracking ?? L1_DEFAULTS.tracking,
    heartbeatMs: given.heartbeatMs ?? L1_DEFAULTS.heartbeatMs,
    sharedValues: given.sharedValues ?? L1_DEFAULTS.sharedValues,
  };
  const { tracking, sharedValues, ...numbers } = resolved;
  const invalid = Object.entries(numbers).find(([, value]) => !(Number.isInteger(value) && value > 0));
  if (invalid) throw new RangeError(`cache option l1.${invalid[0]} must be an integer > 0, got ${invalid[1]}`);
  if (tracking !== 'keys' && tracking !== 'bcast') {
    throw new RangeError(`cache option l1.tracking must be 'keys' or 'bcast', got ${String(tracking)}`);
  }
  if (typeof sharedValues !== 'boolean') throw new RangeError(`cache option l1.sharedValues must be a boolean`);
  return resolved;
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
