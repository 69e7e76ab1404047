/** JSON documents (registered only when the server has JSON.SET): get, set with TTL, delete at a path. */
import { z } from 'zod';
import { assertValueSize, ttlForNewKey } from '../guard.ts';
import { args, defineGroup, defineTool } from '../tool.ts';
import { writeKey } from '../write.ts';

export default defineGroup(
  'json',
  defineTool({
    name: 'json',
    summary: 'JSON documents; path is JSONPath, default $.',
    bound: 'O(size at path)',
    requires: 'json',
    ops: {
      get: ['read', ''],
      set: ['write', 'value is JSON text'],
      del: ['write', ''],
    },
    input: ({ limits }) => ({
      key: args.key,
      path: args.name(limits).optional(),
      value: z.string().optional(),
      ttl: args.ttl,
    }),
    writeArgs: ['value', 'ttl'],
    output: { value: z.unknown().optional(), changed: z.number().int().optional() },
    async run(input, ctx) {
      const { key } = input;
      const path = input.path ?? '$';
      if (input.op === 'get') {
        const raw = (await ctx.redis.call('JSON.GET', key, path)) as string | null;
        return { value: raw === null ? null : JSON.parse(raw) };
      }
      if (input.op === 'del') return { changed: (await ctx.redis.call('JSON.DEL', key, path)) as number };
      if (input.value === undefined) throw new Error('set needs value (JSON text)');
      JSON.parse(input.value);
      assertValueSize([input.value], ctx.limits);
      const value = input.value;
      const { replies } = await writeKey(ctx, key, 'ReJSON-RL', ttlForNewKey(input, ctx.limits), [
        ['JSON.SET', path, value],
      ]);
      return { changed: replies[0] === 'OK' ? 1 : 0 };
    },
  }),
);
