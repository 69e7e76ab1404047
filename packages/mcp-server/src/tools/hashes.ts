/** Hashes: fields (bounded HSCAN when none are named), increments, and per-field TTL where the server has it. */
import { CapabilityMissingError, fieldRecord } from '@redis-agent-kit/patterns';
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, type ToolContext, writeWithTtl } from '../tool.ts';

function needFieldTtl(ctx: ToolContext): void {
  if (!ctx.caps.hashFieldTtl) {
    throw new CapabilityMissingError(
      'hashFieldTtl',
      `${ctx.caps.server} ${ctx.caps.version}`,
      'per-field expiry needs Redis 8 (HEXPIRE); expire the whole key instead',
    );
  }
}

export default defineGroup(
  'hashes',
  defineTool({
    name: 'hash',
    summary: 'Hash keys; ttl/expire are per field.',
    ops: {
      get: ['read', 'names, else a page'],
      ttl: ['read', 'of names'],
      set: ['write', 'fields'],
      incr: ['write', 'fields as increments'],
      del: ['write', 'names'],
      expire: ['write', 'names after ttl'],
    },
    input: ({ limits }) => ({
      key: args.key,
      names: z.array(z.string()).max(limits.maxItems).optional(),
      fields: args.fields.optional(),
      cursor: z.string().optional(),
      count: args.count(limits),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['fields', 'ttl', 'permanent'],
    output: {
      fields: z.record(z.string(), z.string().nullable()).optional(),
      ttls: z.record(z.string(), z.number()).optional(),
      cursor: z.string().optional(),
      changed: z.number().optional(),
    },
    async run(input, ctx) {
      const { key } = input;
      const names = input.names ?? [];
      switch (input.op) {
        case 'get': {
          if (names.length) {
            const values = await ctx.redis.hmget(key, ...names);
            return { fields: Object.fromEntries(names.map((n, i) => [n, values[i] ?? null])) };
          }
          const [cursor, flat] = await ctx.redis.hscan(key, input.cursor ?? '0', 'COUNT', input.count ?? DEFAULT_COUNT);
          return { fields: fieldRecord<string>(flat), ...(cursor !== '0' ? { cursor } : {}) };
        }
        case 'ttl': {
          needFieldTtl(ctx);
          if (!names.length) throw new Error('ttl needs names');
          const ttls = (await ctx.redis.call('HTTL', key, 'FIELDS', names.length, ...names)) as number[];
          return { ttls: Object.fromEntries(names.map((n, i) => [n, ttls[i] as number])) };
        }
        case 'set': {
          const fields = input.fields ?? {};
          if (!Object.keys(fields).length) throw new Error('set needs fields');
          assertValueSize([...Object.keys(fields), ...Object.values(fields)], ctx.limits);
          const [changed] = await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [
            command('HSET', key, ...Object.entries(fields).flat()),
          ]);
          return { changed: changed as number };
        }
        case 'incr': {
          const increments = Object.entries(input.fields ?? {}).map(([name, by]) => [name, Number(by)] as const);
          if (!increments.length || increments.some(([, by]) => Number.isNaN(by))) {
            throw new Error('incr needs fields: {name: number}');
          }
          const values = await writeWithTtl(
            ctx,
            key,
            resolveTtl(input, ctx.limits),
            increments.map(([name, by]) => command('HINCRBYFLOAT', key, name, by)),
          );
          return { fields: Object.fromEntries(increments.map(([name], i) => [name, String(values[i])])) };
        }
        case 'del':
          if (!names.length) throw new Error('del needs names');
          return { changed: await ctx.redis.hdel(key, ...names) };
        case 'expire': {
          needFieldTtl(ctx);
          if (!names.length || input.ttl === undefined) throw new Error('expire needs names and ttl');
          // Replies per field: 1 set, 0 condition not met, 2 expired at once, -2 no such field.
          const replies = (await ctx.redis.call(
            'HEXPIRE',
            key,
            input.ttl,
            'FIELDS',
            names.length,
            ...names,
          )) as number[];
          return { changed: replies.filter((r) => r === 1).length };
        }
      }
    },
  }),
);
