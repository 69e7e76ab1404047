/**
 * The cache tools on the patterns' cache (`createCache`): JSON values under `{namespace}:{key}`, always with a TTL
 * (the server's default when the call names none; refused when that is 0), at most the server's value size; and
 * the cache's counters. The cache never fails a read on a Redis error: it reads as a miss and counts in
 * `stats.redisErrors`. `set`, `has` and `delete` fail while Redis is away.
 */
import { type Cache, createCache } from '@redis-agent-kit/patterns/cache';
import { z } from 'zod';
import { PolicyError } from '../guard.ts';
import { args, defineGroup, defineTool, type ToolContext } from '../tool.ts';

/** One cache per namespace per server: its counters live in this process. */
const caches = new WeakMap<ToolContext, Map<string, Promise<Cache>>>();

function cacheFor(ctx: ToolContext, namespace: string): Promise<Cache> {
  let byNamespace = caches.get(ctx);
  if (!byNamespace) caches.set(ctx, (byNamespace = new Map()));
  let cache = byNamespace.get(namespace);
  if (!cache) {
    cache = createCache(ctx.redis, {
      // From the capabilities the server probed at start, so no probe here: nothing can fail while Redis is away.
      codec: ctx.caps.json ? 'json' : 'string envelope',
      namespace,
      // No origin, so nothing to serve stale: Redis keeps a value exactly its ttl.
      staleGraceMs: 0,
      maxValueBytes: ctx.limits.maxValueBytes,
      // Only words the cache's own messages ("they expire by their TTL"): every set passes its ttl.
      ...(ctx.limits.defaultTtl > 0 ? { ttlMs: ctx.limits.defaultTtl * 1000 } : {}),
    });
    byNamespace.set(namespace, cache);
  }
  return cache;
}

export default defineGroup(
  'cache',
  defineTool({
    name: 'cache',
    summary: 'JSON values at namespace:key, always with a TTL.',
    bound: 'one key',
    ops: {
      get: ['read', ''],
      has: ['read', 'is a fresh value cached'],
      stats: ['read', "this server's counters"],
      set: ['write', ''],
      delete: ['write', ''],
    },
    input: ({ limits }) => ({
      namespace: args.name(limits).optional(),
      key: args.name(limits).optional(),
      value: z.unknown().optional(),
      ttl: args.expiry,
    }),
    writeArgs: ['value', 'ttl'],
    output: {
      found: z.boolean().optional(),
      value: z.unknown().optional(),
      deleted: z.number().optional(),
      stats: z.record(z.string(), z.number()).optional(),
    },
    idempotent: true,
    async run(input, ctx) {
      const cache = await cacheFor(ctx, input.namespace ?? 'cache');
      if (input.op === 'stats') return { stats: { ...cache.stats() } };
      const { key } = input;
      if (key === undefined) throw new Error(`${input.op} needs key`);
      switch (input.op) {
        case 'get': {
          const { value } = await cache.getOrCompute(key, async () => undefined);
          return value === undefined ? { found: false } : { found: true, value };
        }
        case 'has':
          return { found: await cache.has(key) };
        case 'set': {
          if (input.value === undefined) throw new Error('set needs value (any JSON)');
          const ttl = input.ttl ?? ctx.limits.defaultTtl;
          if (ttl <= 0) throw new PolicyError('cached values need a TTL: pass ttl (seconds)');
          await cache.set(key, input.value, { ttlMs: ttl * 1000 });
          return { found: true, value: input.value };
        }
        case 'delete':
          return { deleted: await cache.delete(key) };
      }
    },
  }),
);
