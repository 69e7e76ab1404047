/** Sets: bounded member pages, membership, and union/intersection/difference bounded by the sets' sizes. */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { BytesIn } from '../bytes.ts';
import { assertValueSize, PolicyError, ttlForNewKey } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, sendCommands } from '../tool.ts';
import { writeKey } from '../write.ts';

export default defineGroup(
  'sets',
  defineTool({
    name: 'set',
    summary: 'Set keys.',
    bound: 'O(members); union, inter, diff of key, keys: summed sizes ≤ read bound',
    ops: {
      members: ['read', 'a page', 'SSCAN ~count'],
      has: ['read', 'members?'],
      union: ['read', ''],
      inter: ['read', ''],
      diff: ['read', ''],
      add: ['write', ''],
      rem: ['write', ''],
    },
    input: ({ limits }) => ({
      key: args.key,
      keys: z.array(z.string()).max(limits.maxItems).optional(),
      members: z.array(z.string()).max(limits.maxItems).optional(),
      cursor: args.name(limits).optional(),
      count: args.count(limits),
      ttl: args.ttl,
      encoding: args.encoding,
    }),
    writeArgs: ['ttl'],
    output: {
      members: z.array(z.string()).optional(),
      has: z.array(z.boolean()).optional(),
      cursor: z.string().optional(),
      size: z.number().int().optional(),
      changed: z.number().int().optional(),
      encoding: args.encoding,
    },
    async run(input, ctx) {
      const io = new BytesIn(input.encoding, ctx.limits);
      const key = io.name(input.key, 'key');
      const members = io.values(input.members ?? [], 'member');
      const count = input.count ?? DEFAULT_COUNT;
      switch (input.op) {
        case 'members': {
          const [cursor, page] = await ctx.redis.sscanBuffer(key, input.cursor ?? '0', 'COUNT', count);
          const next = cursor.toString();
          return { members: page, size: await ctx.redis.scard(key), ...(next !== '0' ? { cursor: next } : {}) };
        }
        case 'has': {
          if (!members.length) throw new Error('has needs members');
          const replies = await ctx.redis.smismember(key, ...members);
          return { has: replies.map((r) => r === 1) };
        }
        case 'union':
        case 'inter':
        case 'diff': {
          const keys = [key, ...io.names(input.keys ?? [], 'key')];
          // SUNION/SDIFF touch every member of every set, SINTER at most the smallest set times the sets: the sum
          // of the sizes bounds all three, read first in O(1) per set.
          const sizes = (await sendCommands(
            ctx,
            keys.map((k) => command('SCARD', k)),
          )) as number[];
          const total = sizes.reduce((sum, n) => sum + n, 0);
          if (total > ctx.limits.maxReadElements) {
            throw new PolicyError(
              `${input.op} would touch ${total} members, over the read bound of ${ctx.limits.maxReadElements} (--max-read-elements): page each set with op members, or test members with op has`,
            );
          }
          const all =
            input.op === 'union'
              ? await ctx.redis.sunionBuffer(...keys)
              : input.op === 'inter'
                ? await ctx.redis.sinterBuffer(...keys)
                : await ctx.redis.sdiffBuffer(...keys);
          return { members: all.slice(0, count), size: all.length };
        }
        case 'add': {
          if (!members.length) throw new Error('add needs members');
          assertValueSize(members, ctx.limits);
          const { replies } = await writeKey(ctx, key, 'set', ttlForNewKey(input, ctx.limits), [['SADD', ...members]]);
          return { changed: replies[0] as number };
        }
        case 'rem':
          if (!members.length) throw new Error('rem needs members');
          return { changed: await ctx.redis.srem(key, ...members) };
      }
    },
  }),
);
