/** Hashes: fields (bounded HSCAN when none are named), increments, and per-field TTL where the server has it. */
import { CapabilityMissingError } from '@redis-agent-kit/patterns';
import { z } from 'zod';
import { ByteRecord, BytesIn } from '../bytes.ts';
import { assertValueSize, ttlForNewKey } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, type ToolContext } from '../tool.ts';
import { writeKey } from '../write.ts';

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
    summary: 'Hash keys; ttl, expire: per field.',
    bound: 'O(names or fields)',
    ops: {
      get: ['read', 'names, else a page', 'HSCAN ~count'],
      ttl: ['read', 'names'],
      set: ['write', 'fields'],
      incr: ['write', 'fields: increments'],
      del: ['write', 'names'],
      expire: ['write', 'names'],
    },
    input: ({ limits }) => ({
      key: args.key,
      names: z.array(z.string()).max(limits.maxItems).optional(),
      fields: args.fields.optional(),
      cursor: args.name(limits).optional(),
      count: args.count(limits),
      // set, incr: the TTL of a key they create (0: none); expire: the fields' TTL (at least 1 s).
      ttl: args.ttl,
      encoding: args.encoding,
    }),
    writeArgs: ['fields', 'ttl'],
    output: {
      fields: z.record(z.string(), z.string().nullable()).optional(),
      ttls: z.record(z.string(), z.number()).optional(),
      cursor: z.string().optional(),
      changed: z.number().optional(),
      encoding: args.encoding,
    },
    async run(input, ctx) {
      const io = new BytesIn(input.encoding, ctx.limits);
      const key = io.name(input.key, 'key');
      const names = io.names(input.names ?? [], 'field name');
      const fields = Object.entries(input.fields ?? {}).map(
        ([name, value]) => [io.name(name, 'field name'), value] as const,
      );
      switch (input.op) {
        case 'get': {
          if (names.length) {
            const values = await ctx.redis.hmgetBuffer(key, ...names);
            return { fields: new ByteRecord(names.map((n, i) => [n, values[i] ?? null])) };
          }
          const [cursor, flat] = await ctx.redis.hscanBuffer(
            key,
            input.cursor ?? '0',
            'COUNT',
            input.count ?? DEFAULT_COUNT,
          );
          const next = cursor.toString();
          return { fields: ByteRecord.fromFlat(flat), ...(next !== '0' ? { cursor: next } : {}) };
        }
        case 'ttl': {
          needFieldTtl(ctx);
          if (!names.length) throw new Error('ttl needs names');
          const ttls = (await ctx.redis.call('HTTL', key, 'FIELDS', names.length, ...names)) as number[];
          return { ttls: new ByteRecord(names.map((n, i) => [n, ttls[i] as number])) };
        }
        case 'set': {
          if (!fields.length) throw new Error('set needs fields');
          const values = fields.map(([name, value]) => [name, io.value(value)] as const);
          assertValueSize(values.flat(), ctx.limits);
          const { replies } = await writeKey(ctx, key, 'hash', ttlForNewKey(input, ctx.limits), [
            ['HSET', ...values.flat()],
          ]);
          return { changed: replies[0] as number };
        }
        case 'incr': {
          const increments = fields.map(([name, by]) => [name, Number(by)] as const);
          if (!increments.length || increments.some(([, by]) => !Number.isFinite(by))) {
            throw new Error('incr needs fields: {name: number}');
          }
          const { replies } = await writeKey(
            ctx,
            key,
            'hash',
            ttlForNewKey(input, ctx.limits),
            increments.map(([name, by]) => ['HINCRBYFLOAT', name, by] as const),
          );
          return { fields: new ByteRecord(increments.map(([name], i) => [name, Buffer.from(String(replies[i]))])) };
        }
        case 'del':
          if (!names.length) throw new Error('del needs names');
          return { changed: await ctx.redis.hdel(key, ...names) };
        case 'expire': {
          needFieldTtl(ctx);
          if (!names.length || !input.ttl) throw new Error('expire needs names and ttl (at least 1 s)');
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
