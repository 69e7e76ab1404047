/** Strings: read with TTL, write with TTL (or permanent), atomic increments. */
import { z } from 'zod';
import { assertValueSize, ttlForNewKey } from '../guard.ts';
import { args, defineGroup, defineTool } from '../tool.ts';
import { writeKey } from '../write.ts';

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
      const ttl = ttlForNewKey(input, ctx.limits);
      if (input.op === 'incr') {
        const by = Number(input.value ?? 1);
        if (!Number.isSafeInteger(by)) throw new Error('incr needs value: an integer');
        const written = await writeKey(ctx, key, 'string', ttl, [['INCRBY', by]]);
        return { value: String(written.replies[0]), written: true, ttl: written.ttl };
      }
      if (input.value === undefined) throw new Error('set needs value');
      assertValueSize([input.value], ctx.limits);
      // KEEPTTL: replacing the value of an existing key keeps its TTL (none stays none).
      const written = await writeKey(ctx, key, 'string', ttl, [['SET', input.value, ...(input.nx ? ['NX'] : []), 'KEEPTTL']]);
      return { value: input.value, written: written.replies[0] === 'OK', ttl: written.ttl };
    },
  }),
);
