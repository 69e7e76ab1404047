/** Lists: bounded ranges, push under the TTL rule (write.ts), pop. */
import { z } from 'zod';
import { BytesIn } from '../bytes.ts';
import { assertValueSize, PolicyError, ttlForNewKey } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool } from '../tool.ts';
import { writeKey } from '../write.ts';

/** How many elements LRANGE walks to reach `start`: from the nearer end of a list of `length` elements. */
export function walkTo(start: number, length: number): number {
  const index = start < 0 ? length + start : start;
  return Math.max(0, Math.min(index, length - 1 - index));
}

export default defineGroup(
  'lists',
  defineTool({
    name: 'list',
    summary: 'List keys (left = head).',
    bound: 'O(count or values)',
    ops: {
      range: ['read', 'count from start (<0: tail)', 'walk to start ≤ read bound'],
      push: ['write', ''],
      pop: ['write', ''],
    },
    input: ({ limits }) => ({
      key: args.key,
      start: z.number().int().optional(),
      count: args.count(limits),
      values: z.array(z.string()).max(limits.maxItems).optional(),
      left: z.boolean().optional(),
      ttl: args.ttl,
      encoding: args.encoding,
    }),
    writeArgs: ['values', 'ttl'],
    output: { items: z.array(z.string()).optional(), length: z.number().int(), encoding: args.encoding },
    async run(input, ctx) {
      const io = new BytesIn(input.encoding, ctx.limits);
      const key = io.name(input.key, 'key');
      if (input.op === 'range') {
        const count = input.count ?? DEFAULT_COUNT;
        const start = input.start ?? 0;
        const length = await ctx.redis.llen(key);
        const walk = walkTo(start, length);
        if (walk > ctx.limits.maxReadElements) {
          throw new PolicyError(
            `reaching start ${start} walks ${walk} of ${length} elements, over the read bound of ${ctx.limits.maxReadElements} (--max-read-elements): read near the head (start ≥ 0) or the tail (start < 0)`,
          );
        }
        // A negative start counts from the tail; the stop index then stays on the same side.
        const stop = start < 0 ? Math.min(-1, start + count - 1) : start + count - 1;
        return { items: await ctx.redis.lrangeBuffer(key, start, stop), length };
      }
      if (input.op === 'push') {
        const values = io.values(input.values ?? []);
        if (!values.length) throw new Error('push needs values');
        assertValueSize(values, ctx.limits);
        const { replies } = await writeKey(ctx, key, 'list', ttlForNewKey(input, ctx.limits), [
          [input.left ? 'LPUSH' : 'RPUSH', ...values],
        ]);
        return { length: replies[0] as number };
      }
      // Without count one element, as LPOP/RPOP without count.
      const count = input.count ?? 1;
      const popped = input.left ? await ctx.redis.lpopBuffer(key, count) : await ctx.redis.rpopBuffer(key, count);
      return { items: popped ?? [], length: await ctx.redis.llen(key) };
    },
  }),
);
