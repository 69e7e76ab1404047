/** Streams: add (with TTL and an optional approximate cap), ranges, and consumer groups, every read bounded. */
import { command, withKeys } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, flatRecord, writeWithTtl } from '../tool.ts';

type RawEntry = [string, string[]];

function entries(raw: RawEntry[]): { id: string; fields: Record<string, string> }[] {
  return raw.map(([id, flat]) => ({ id, fields: flatRecord<string>(flat) }));
}

export default defineGroup(
  'streams',
  defineTool({
    name: 'stream',
    summary: 'Streams and consumer groups.',
    ops: {
      range: ['read', 'start..end ids'],
      info: ['read', ''],
      pending: ['read', 'unacked in group'],
      add: ['write', 'fields, maxlen cap'],
      group_create: ['write', 'group from id ($: new only)'],
      group_read: ['write', 'as consumer'],
      ack: ['write', 'ids'],
    },
    input: ({ limits }) => ({
      key: args.key,
      start: z.string().optional(),
      end: z.string().optional(),
      count: args.count(limits),
      group: z.string().optional(),
      consumer: z.string().optional(),
      id: z.string().optional(),
      ids: z.array(z.string()).max(limits.maxItems).optional(),
      fields: args.fields.optional(),
      maxlen: z.number().int().min(1).optional(),
      ttl: args.ttl,
      permanent: args.permanent,
    }),
    writeArgs: ['consumer', 'id', 'fields', 'maxlen', 'ttl', 'permanent'],
    output: {
      entries: z.array(z.object({ id: z.string(), fields: z.record(z.string(), z.string()) })).optional(),
      id: z.string().optional(),
      changed: z.number().int().optional(),
      info: z.record(z.string(), z.unknown()).optional(),
    },
    async run(input, ctx) {
      const { key } = input;
      const count = input.count ?? DEFAULT_COUNT;
      const group = () => {
        if (!input.group) throw new Error(`${input.op} needs group`);
        return input.group;
      };
      switch (input.op) {
        case 'range': {
          const raw = (await ctx.redis.xrange(key, input.start ?? '-', input.end ?? '+', 'COUNT', count)) as RawEntry[];
          return { entries: entries(raw) };
        }
        case 'info': {
          const info = flatRecord((await ctx.redis.call('XINFO', 'STREAM', key)) as unknown[]);
          const groups = ((await ctx.redis.call('XINFO', 'GROUPS', key)) as unknown[][]).map((g) => flatRecord(g));
          return {
            info: {
              length: info.length,
              'last-generated-id': info['last-generated-id'],
              'first-entry': info['first-entry'],
              'last-entry': info['last-entry'],
              groups: groups.slice(0, count),
            },
          };
        }
        case 'pending': {
          const rows = (await ctx.redis.xpending(key, group(), '-', '+', count)) as [string, string, number, number][];
          return {
            info: {
              pending: rows.map(([id, consumer, idleMs, deliveries]) => ({ id, consumer, idleMs, deliveries })),
            },
          };
        }
        case 'add': {
          const fields = input.fields ?? {};
          if (!Object.keys(fields).length) throw new Error('add needs fields');
          assertValueSize([...Object.keys(fields), ...Object.values(fields)], ctx.limits);
          const cap = input.maxlen ? ['MAXLEN', '~', input.maxlen] : [];
          const [id] = await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [
            command('XADD', key, ...cap, input.id ?? '*', ...Object.entries(fields).flat()),
          ]);
          return { id: id as string };
        }
        case 'group_create': {
          // MKSTREAM may create the key, so the TTL policy applies to it as to any write.
          await writeWithTtl(ctx, key, resolveTtl(input, ctx.limits), [
            withKeys('XGROUP', ['CREATE', key, group(), input.id ?? '$', 'MKSTREAM'], [1]),
          ]);
          return { changed: 1 };
        }
        case 'group_read': {
          if (!input.consumer) throw new Error('group_read needs consumer');
          // No BLOCK: the call answers at once, so it never holds a connection.
          const reply = (await ctx.redis.xreadgroup(
            'GROUP',
            group(),
            input.consumer,
            'COUNT',
            count,
            'STREAMS',
            key,
            '>',
          )) as [string, RawEntry[]][] | null;
          return { entries: entries(reply?.[0]?.[1] ?? []) };
        }
        case 'ack': {
          const ids = input.ids ?? [];
          if (!ids.length) throw new Error('ack needs ids');
          return { changed: await ctx.redis.xack(key, group(), ...ids) };
        }
      }
    },
  }),
);
