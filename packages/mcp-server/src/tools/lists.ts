/** Lists: bounded ranges, push with TTL, pop. */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, writeWithTtl } from '../tool.ts';

export default defineGroup(
  'lists',
  defineTool({
    name: 'list',
    summary: 'List keys (left = head).',
    ops: { range: ['read', 'count from start'], push: ['write', ''], pop: ['write', 'count'] },
    input: ({ limits }) => ({
      key: args.key,
      start: z.number().int().optional(),
      count: args.count(limits),
      values: z.array(z.string()).max(limits.maxItems).optional(),
      left: z.boolean().optional(),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['values', 'left', 'ttl', 'permanent'],
    output: { items: z.array(z.string()).optional(), length: z.number().int() },
    async run(input, ctx) {
      const { key } = input;
      const count = input.count ?? DEFAULT_COUNT;
      if (input.op === 'range') {
        const start = input.start ?? 0;
        // A negative start counts from the tail; the stop index then stays on the same side.
        const stop = start < 0 ? Math.min(-1, start + count - 1) : start + count - 1;
        const [items, length] = await Promise.all([ctx.redis.lrange(key, start, stop), ctx.redis.llen(key)]);
        return { items, length };
      }
      if (input.op === 'push') {
        const values = input.values ?? [];
        if (!values.length) throw new Error('push needs values');
        assertValueSize(values, ctx.limits);
        const [length] = await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [
          command(input.left ? 'LPUSH' : 'RPUSH', key, ...values),
        ]);
        return { length: length as number };
      }
      const popped = input.left ? await ctx.redis.lpop(key, count) : await ctx.redis.rpop(key, count);
      return { items: popped ?? [], length: await ctx.redis.llen(key) };
    },
  }),
);
