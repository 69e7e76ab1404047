/** JSON documents (registered only when the server has JSON.SET): get, set with TTL, delete at a path. */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, defineGroup, defineTool, writeWithTtl } from '../tool.ts';

export default defineGroup(
  'json',
  defineTool({
    name: 'json',
    summary: 'JSON documents; path is JSONPath, default $.',
    requires: 'json',
    ops: { get: ['read', ''], set: ['write', 'value is JSON text'], del: ['write', ''] },
    input: () => ({
      key: args.key,
      path: z.string().optional(),
      value: z.string().optional(),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['value', 'ttl', 'permanent'],
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
      const [reply] = await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [
        command('JSON.SET', key, path, value),
      ]);
      return { changed: reply === 'OK' ? 1 : 0 };
    },
  }),
);
