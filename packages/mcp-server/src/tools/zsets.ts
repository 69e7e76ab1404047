/** Sorted sets: bounded ranges by rank or score, scores, ranks, adds and increments with TTL. */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, sendCommands, writeWithTtl } from '../tool.ts';

/** WITHSCORES replies: ioredis 6 answers `[[member, score], …]`; a flat `[member, score, …]` is read too. */
function pairs(reply: (string | [string, string])[]): { member: string; score: number }[] {
  const flat = reply.flat();
  const out: { member: string; score: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i] as string, score: Number(flat[i + 1]) });
  return out;
}

export default defineGroup(
  'zsets',
  defineTool({
    name: 'zset',
    summary: 'Sorted-set keys.',
    ops: {
      range: ['read', 'by rank from start, or by score min..max'],
      score: ['read', 'score, rank of members'],
      add: ['write', 'entries'],
      incr: ['write', 'entries as increments'],
      rem: ['write', 'members'],
    },
    input: ({ limits }) => ({
      key: args.key,
      start: z.number().int().min(0).optional(),
      min: z.string().optional().describe('e.g. (1 -inf'),
      max: z.string().optional(),
      rev: z.boolean().optional(),
      count: args.count(limits),
      members: z.array(z.string()).max(limits.maxItems).optional(),
      entries: z
        .array(z.object({ member: z.string(), score: z.number() }))
        .max(limits.maxItems)
        .optional(),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['entries', 'ttl', 'permanent'],
    output: {
      entries: z
        .array(
          z.object({ member: z.string(), score: z.number().nullable(), rank: z.number().int().nullable().optional() }),
        )
        .optional(),
      size: z.number().int().optional(),
      changed: z.number().int().optional(),
    },
    async run(input, ctx) {
      const { key } = input;
      const count = input.count ?? DEFAULT_COUNT;
      const members = input.members ?? [];
      switch (input.op) {
        case 'range': {
          const start = input.start ?? 0;
          const rev = input.rev ? ['REV'] : [];
          const byScore = input.min !== undefined || input.max !== undefined;
          // ZRANGE … REV takes the bounds in reverse order: from max down to min.
          const [lo, hi] = [input.min ?? '-inf', input.max ?? '+inf'];
          const range = byScore
            ? [...(input.rev ? [hi, lo] : [lo, hi]), 'BYSCORE', ...rev, 'LIMIT', start, count]
            : [start, start + count - 1, ...rev];
          const reply = (await ctx.redis.call('ZRANGE', key, ...range, 'WITHSCORES')) as (string | [string, string])[];
          return { entries: pairs(reply), size: await ctx.redis.zcard(key) };
        }
        case 'score': {
          if (!members.length) throw new Error('score needs members');
          const replies = await sendCommands(ctx, [
            command('ZMSCORE', key, ...members),
            ...members.map((m) => command('ZRANK', key, m)),
          ]);
          const scores = replies[0] as (string | null)[];
          return {
            entries: members.map((member, i) => ({
              member,
              score: scores[i] === null || scores[i] === undefined ? null : Number(scores[i]),
              rank: (replies[i + 1] as number | null) ?? null,
            })),
          };
        }
        case 'add': {
          const entries = input.entries ?? [];
          if (!entries.length) throw new Error('add needs entries');
          assertValueSize(
            entries.map((e) => e.member),
            ctx.limits,
          );
          const flat = entries.flatMap((e) => [String(e.score), e.member]);
          const [changed] = await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [command('ZADD', key, ...flat)]);
          return { changed: changed as number };
        }
        case 'incr': {
          const entries = input.entries ?? [];
          if (!entries.length) throw new Error('incr needs entries');
          const scores = await writeWithTtl(
            ctx,
            key,
            resolveTtl(input, ctx.limits),
            entries.map((e) => command('ZINCRBY', key, e.score, e.member)),
          );
          return { entries: entries.map((e, i) => ({ member: e.member, score: Number(scores[i]) })) };
        }
        case 'rem':
          if (!members.length) throw new Error('rem needs members');
          return { changed: await ctx.redis.zrem(key, ...members) };
      }
    },
  }),
);
