/** Sets: bounded member pages, membership, and union/intersection/difference (answers cut to `count`). */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, writeWithTtl } from '../tool.ts';

export default defineGroup(
  'sets',
  defineTool({
    name: 'set',
    summary: 'Set keys.',
    ops: {
      members: ['read', 'a page'],
      has: ['read', 'members?'],
      union: ['read', 'key+keys'],
      inter: ['read', 'key+keys'],
      diff: ['read', 'key-keys'],
      add: ['write', ''],
      rem: ['write', ''],
    },
    input: ({ limits }) => ({
      key: args.key,
      keys: z.array(z.string()).max(limits.maxItems).optional(),
      members: z.array(z.string()).max(limits.maxItems).optional(),
      cursor: z.string().optional(),
      count: args.count(limits),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['ttl', 'permanent'],
    output: {
      members: z.array(z.string()).optional(),
      has: z.array(z.boolean()).optional(),
      cursor: z.string().optional(),
      size: z.number().int().optional(),
      changed: z.number().int().optional(),
    },
    async run(input, ctx) {
      const { key } = input;
      const members = input.members ?? [];
      const count = input.count ?? DEFAULT_COUNT;
      switch (input.op) {
        case 'members': {
          const [cursor, page] = await ctx.redis.sscan(key, input.cursor ?? '0', 'COUNT', count);
          return { members: page, size: await ctx.redis.scard(key), ...(cursor !== '0' ? { cursor } : {}) };
        }
        case 'has': {
          if (!members.length) throw new Error('has needs members');
          const replies = await ctx.redis.smismember(key, ...members);
          return { has: replies.map((r) => r === 1) };
        }
        case 'union':
        case 'inter':
        case 'diff': {
          const keys = [key, ...(input.keys ?? [])];
          const all =
            input.op === 'union'
              ? await ctx.redis.sunion(...keys)
              : input.op === 'inter'
                ? await ctx.redis.sinter(...keys)
                : await ctx.redis.sdiff(...keys);
          return { members: all.slice(0, count), size: all.length };
        }
        case 'add': {
          if (!members.length) throw new Error('add needs members');
          assertValueSize(members, ctx.limits);
          const [changed] = await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [
            command('SADD', key, ...members),
          ]);
          return { changed: changed as number };
        }
        case 'rem':
          if (!members.length) throw new Error('rem needs members');
          return { changed: await ctx.redis.srem(key, ...members) };
      }
    },
  }),
);
