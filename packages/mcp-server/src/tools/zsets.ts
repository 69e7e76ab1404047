/** Sorted sets: bounded ranges by rank or score, scores, ranks, adds and increments under the TTL rule. */
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { BytesIn } from '../bytes.ts';
import { assertValueSize, PolicyError, ttlForNewKey } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, listedAs, sendCommands } from '../tool.ts';
import { writeKey } from '../write.ts';

/** WITHSCORES replies as Buffers: a flat `[member, score, …]` (ioredis pairs them only for its string replies). */
function pairs(reply: (Buffer | Buffer[])[]): { member: Buffer; score: number }[] {
  const flat = reply.flat();
  const out: { member: Buffer; score: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    out.push({ member: flat[i] as Buffer, score: Number(String(flat[i + 1])) });
  return out;
}

export default defineGroup(
  'zsets',
  defineTool({
    name: 'zset',
    summary: 'Sorted-set keys.',
    bound: 'O(members·log n)',
    ops: {
      range: ['read', 'by rank from start, or score min..max', 'O(log n+count); score offset ≤ read bound'],
      score: ['read', 'and rank'],
      add: ['write', 'entries'],
      incr: ['write', 'entries: increments'],
      rem: ['write', ''],
    },
    input: ({ limits }) => ({
      key: args.key,
      start: z.number().int().min(0).optional(),
      min: args.name(limits).optional(),
      max: args.name(limits).optional(),
      rev: z.boolean().optional(),
      count: args.count(limits),
      members: z.array(z.string()).max(limits.maxItems).optional(),
      entries: listedAs(z.array(z.object({ member: z.string(), score: z.number() })).max(limits.maxItems), {
        type: 'array',
        description: '[{member, score}]',
      }).optional(),
      ttl: args.ttl,
      encoding: args.encoding,
    }),
    writeArgs: ['entries', 'ttl'],
    output: {
      entries: z
        .array(
          z.object({ member: z.string(), score: z.number().nullable(), rank: z.number().int().nullable().optional() }),
        )
        .optional(),
      size: z.number().int().optional(),
      changed: z.number().int().optional(),
      encoding: args.encoding,
    },
    async run(input, ctx) {
      const io = new BytesIn(input.encoding, ctx.limits);
      const key = io.name(input.key, 'key');
      const count = input.count ?? DEFAULT_COUNT;
      const members = io.values(input.members ?? [], 'member');
      const entries = (input.entries ?? []).map((e) => ({ member: io.value(e.member, 'member'), score: e.score }));
      switch (input.op) {
        case 'range': {
          const start = input.start ?? 0;
          const rev = input.rev ? ['REV'] : [];
          const byScore = input.min !== undefined || input.max !== undefined;
          // By score, LIMIT walks `start` members past the first match before it answers.
          if (byScore && start > ctx.limits.maxReadElements) {
            throw new PolicyError(
              `a score range from offset ${start} walks past ${start} members, over the read bound of ${ctx.limits.maxReadElements} (--max-read-elements): narrow min..max instead`,
            );
          }
          // ZRANGE … REV takes the bounds in reverse order: from max down to min.
          const [lo, hi] = [input.min ?? '-inf', input.max ?? '+inf'];
          const range = byScore
            ? [...(input.rev ? [hi, lo] : [lo, hi]), 'BYSCORE', ...rev, 'LIMIT', start, count]
            : [start, start + count - 1, ...rev];
          const reply = (await ctx.redis.callBuffer('ZRANGE', key, ...range, 'WITHSCORES')) as Buffer[];
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
        case 'add':
        case 'incr': {
          if (!entries.length) throw new Error(`${input.op} needs entries`);
          assertValueSize(
            entries.map((e) => e.member),
            ctx.limits,
          );
          const ttl = ttlForNewKey(input, ctx.limits);
          if (input.op === 'add') {
            const flat = entries.flatMap((e) => [String(e.score), e.member]);
            const { replies } = await writeKey(ctx, key, 'zset', ttl, [['ZADD', ...flat]]);
            return { changed: replies[0] as number };
          }
          const { replies } = await writeKey(
            ctx,
            key,
            'zset',
            ttl,
            entries.map((e) => ['ZINCRBY', e.score, e.member] as const),
          );
          return { entries: entries.map((e, i) => ({ member: e.member, score: Number(replies[i]) })) };
        }
        case 'rem':
          if (!members.length) throw new Error('rem needs members');
          return { changed: await ctx.redis.zrem(key, ...members) };
      }
    },
  }),
);
