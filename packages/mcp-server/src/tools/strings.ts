/** Strings: read with TTL (a long value in parts), write under the TTL rule (write.ts), atomic increments. */
import { z } from 'zod';
import { BytesIn, prefixWithin } from '../bytes.ts';
import { assertValueSize, ttlForNewKey } from '../guard.ts';
import { args, defineGroup, defineTool, type ToolContext } from '../tool.ts';
import { writeKey } from '../write.ts';

/** Room in an answer for everything but the value (ttl, length, the JSON around them). */
const ANSWER_OVERHEAD = 512;

/**
 * The value, or the part of it from `start` that fits the answer bound (half of it: the text copy doubles the
 * answer), read with GETRANGE so a huge value never crosses the network whole; TTL, STRLEN and GETRANGE go in one
 * round trip. A part says `truncated` and the value's full `length`, so the caller reads on with `start`.
 */
async function get(ctx: ToolContext, key: Buffer, start: number) {
  const budget = Math.floor(ctx.limits.maxAnswerBytes / 2) - ANSWER_OVERHEAD;
  const replies =
    (await ctx.redis
      .pipeline()
      .ttl(key)
      .strlen(key)
      .getrangeBuffer(key, start, start + budget - 1)
      .exec()) ?? [];
  const [ttl, length, raw] = replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  }) as [number, number, Buffer];
  if (ttl === -2) return { value: null, ttl };
  const value = prefixWithin(raw, budget);
  const whole = start === 0 && value.length === length;
  return { value, ttl, ...(whole ? {} : { length, truncated: true }) };
}

export default defineGroup(
  'strings',
  defineTool({
    name: 'string',
    summary: 'String keys.',
    bound: 'O(1)',
    ops: {
      get: ['read', 'value, ttl; a long value in parts: read on with start'],
      set: ['write', ''],
      incr: ['write', 'by value'],
    },
    input: () => ({
      key: args.key,
      start: z.number().int().min(0).optional(),
      value: z.string().optional(),
      nx: z.boolean().optional(),
      ttl: args.ttl,
      encoding: args.encoding,
    }),
    writeArgs: ['value', 'nx', 'ttl'],
    output: {
      value: z.string().nullable().optional(),
      ttl: z.number().int().optional(),
      written: z.boolean().optional(),
      length: z.number().int().optional(),
      truncated: z.boolean().optional(),
      encoding: args.encoding,
    },
    async run(input, ctx) {
      const io = new BytesIn(input.encoding, ctx.limits);
      const key = io.name(input.key, 'key');
      if (input.op === 'get') return get(ctx, key, input.start ?? 0);
      const ttl = ttlForNewKey(input, ctx.limits);
      if (input.op === 'incr') {
        const by = Number(input.value ?? 1);
        if (!Number.isSafeInteger(by)) throw new Error('incr needs value: an integer');
        const written = await writeKey(ctx, key, 'string', ttl, [['INCRBY', by]]);
        return { value: String(written.replies[0]), written: true, ttl: written.ttl };
      }
      if (input.value === undefined) throw new Error('set needs value');
      const value = io.value(input.value);
      assertValueSize([value], ctx.limits);
      // KEEPTTL: replacing the value of an existing key keeps its TTL (none stays none).
      const written = await writeKey(ctx, key, 'string', ttl, [['SET', value, ...(input.nx ? ['NX'] : []), 'KEEPTTL']]);
      return { value, written: written.replies[0] === 'OK', ttl: written.ttl };
    },
  }),
);
