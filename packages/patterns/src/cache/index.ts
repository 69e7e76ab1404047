/**
 * The cache layer's public surface (`@redis-agent-kit/patterns/cache`): `createCache(client, options)` and what its
 * answers and options are made of. Codecs, deadlines, the stored entry shape, the coalescing state and the near
 * cache's parts are internal.
 */
export { type Cache, type CacheResult, type CacheStatus, createCache } from './cache.ts';
export type { CacheCodecName } from './codec.ts';
export { RedisTimeoutError } from './deadlines.ts';
export { CacheValueTooLargeError } from './errors.ts';
export { CACHE_DEFAULTS, type CacheOptions, type CacheTtlOptions, L1_DEFAULTS, type L1Options } from './options.ts';
export type { CacheStats } from './stats.ts';
export type { RandomSource } from './xfetch.ts';
