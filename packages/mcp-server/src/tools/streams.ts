/** Streams: add (with TTL and an optional approximate cap), ranges, and consumer groups, every read bounded. */
import { fieldRecord } from '@redis-agent-kit/patterns';
import { command, withKeys } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import type { Limits } from '../config.ts';
import { assertValueSize, resolveTtl } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, type ToolContext, writeWithTtl } from '../tool.ts';

type RawEntry = [string, string[]];
type Entries = { id: string; fields: Record<string, string> }[];

function entries(raw: RawEntry[]): Entries {
  return raw.map(([id, flat]) => ({ id, fields: fieldRecord<string>(flat) }));
}

const OPS = {
  range: ['read', 'start..end ids'],
  info: ['read', ''],
  pending: ['read', 'unacked in group'],
  add: ['write', 'fields, maxlen cap'],
  group_create: ['write', 'group from id ($: new only)'],
  group_read: ['write', 'as consumer'],
  ack: ['write', 'ids'],
} as const;

const input = (limits: Limits) => ({
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
});

const output = {
  entries: z.array(z.object({ id: z.string(), fields: z.record(z.string(), z.string()) })).optional(),
  id: z.string().optional(),
  changed: z.number().int().optional(),
  info: z.record(z.string(), z.unknown()).optional(),
};

type Op = keyof typeof OPS;
type Input = z.output<z.ZodObject<ReturnType<typeof input>>> & { op: Op };
type Output = z.output<z.ZodObject<typeof output>>;

const count = (a: Input) => a.count ?? DEFAULT_COUNT;

function group(a: Input): string {
  if (!a.group) throw new Error(`${a.op} needs group`);
  return a.group;
}

async function range(a: Input, ctx: ToolContext): Promise<Output> {
  const raw = (await ctx.redis.xrange(a.key, a.start ?? '-', a.end ?? '+', 'COUNT', count(a))) as RawEntry[];
  return { entries: entries(raw) };
}

async function info(a: Input, ctx: ToolContext): Promise<Output> {
  const stream = fieldRecord(await ctx.redis.call('XINFO', 'STREAM', a.key));
  const groups = ((await ctx.redis.call('XINFO', 'GROUPS', a.key)) as unknown[]).map((g) => fieldRecord(g));
  return {
    info: {
      length: stream.length,
      'last-generated-id': stream['last-generated-id'],
      'first-entry': stream['first-entry'],
      'last-entry': stream['last-entry'],
      groups: groups.slice(0, count(a)),
    },
  };
}

async function pending(a: Input, ctx: ToolContext): Promise<Output> {
  const rows = (await ctx.redis.xpending(a.key, group(a), '-', '+', count(a))) as [string, string, number, number][];
  return { info: { pending: rows.map(([id, consumer, idleMs, deliveries]) => ({ id, consumer, idleMs, deliveries })) } };
}

async function add(a: Input, ctx: ToolContext): Promise<Output> {
  const fields = a.fields ?? {};
  if (!Object.keys(fields).length) throw new Error('add needs fields');
  assertValueSize([...Object.keys(fields), ...Object.values(fields)], ctx.limits);
  const cap = a.maxlen ? ['MAXLEN', '~', a.maxlen] : [];
  const [id] = await writeWithTtl(ctx, a.key, resolveTtl(a, ctx.limits), [
    command('XADD', a.key, ...cap, a.id ?? '*', ...Object.entries(fields).flat()),
  ]);
  return { id: id as string };
}

async function groupCreate(a: Input, ctx: ToolContext): Promise<Output> {
  // MKSTREAM may create the key, so the TTL policy applies to it as to any write.
  await writeWithTtl(ctx, a.key, resolveTtl(a, ctx.limits), [
    withKeys('XGROUP', ['CREATE', a.key, group(a), a.id ?? '$', 'MKSTREAM'], [1]),
  ]);
  return { changed: 1 };
}

async function groupRead(a: Input, ctx: ToolContext): Promise<Output> {
  if (!a.consumer) throw new Error('group_read needs consumer');
  // No BLOCK: the call answers at once, so it never holds a connection.
  const reply = (await ctx.redis.xreadgroup('GROUP', group(a), a.consumer, 'COUNT', count(a), 'STREAMS', a.key, '>')) as
    | [string, RawEntry[]][]
    | null;
  return { entries: entries(reply?.[0]?.[1] ?? []) };
}

async function ack(a: Input, ctx: ToolContext): Promise<Output> {
  const ids = a.ids ?? [];
  if (!ids.length) throw new Error('ack needs ids');
  return { changed: await ctx.redis.xack(a.key, group(a), ...ids) };
}

const RUN: Record<Op, (a: Input, ctx: ToolContext) => Promise<Output>> = {
  range,
  info,
  pending,
  add,
  group_create: groupCreate,
  group_read: groupRead,
  ack,
};

export default defineGroup(
  'streams',
  defineTool({
    name: 'stream',
    summary: 'Streams and consumer groups.',
    ops: OPS,
    input: ({ limits }) => input(limits),
    writeArgs: ['consumer', 'id', 'fields', 'maxlen', 'ttl', 'permanent'],
    output,
    run: (a, ctx) => RUN[a.op](a, ctx),
  }),
);
