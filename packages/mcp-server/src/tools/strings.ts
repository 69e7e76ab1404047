/** Strings: read with TTL, write with TTL (or permanent), atomic increments. */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, defineGroup, defineTool, writeWithTtl } from '../tool.ts';

export default defineGroup(
  'strings',
  defineTool({
    name: 'string',
    summary: 'String keys.',
    ops: { get: ['read', 'value, ttl'], set: ['write', 'nx: only if absent'], incr: ['write', 'add value (integer)'] },
    input: () => ({
      key: args.key,
      value: z.string().optional(),
      nx: z.boolean().optional(),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['value', 'nx', 'ttl', 'permanent'],
    output: {
      value: z.string().nullable().optional(),
      ttl: z.number().int().optional(),
      written: z.boolean().optional(),
    },
    async run(input, ctx) {
      const { key } = input;
      if (input.op === 'get') {
        const [value, ttl] = await Promise.all([ctx.redis.get(key), ctx.redis.ttl(key)]);
        return { value, ttl };
      }
      const ttl = resolveTtl(input, ctx.limits);
      if (input.op === 'incr') {
        const by = Number(input.value ?? 1);
        if (!Number.isInteger(by)) throw new Error('incr needs value: an integer');
        const [value] = await writeWithTtl(ctx, key, ttl, [command('INCRBY', key, by)]);
        return { value: String(value), written: true, ttl: await ctx.redis.ttl(key) };
      }
      if (input.value === undefined) throw new Error('set needs value');
      assertValueSize([input.value], ctx.limits);
      const flags: string[] = ttl.kind === 'permanent' ? [] : ['EX', String(ttl.seconds)];
      if (input.nx) flags.push('NX');
      const reply = await ctx.redis.call('SET', key, input.value, ...flags);
      return { value: input.value, written: reply === 'OK', ttl: await ctx.redis.ttl(key) };
    },
  }),
);
