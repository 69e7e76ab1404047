/**
 * Streams: add (with TTL and an optional approximate cap), ranges, and consumer groups, every read bounded. Keys,
 * fields, values, group and consumer names are bytes (bytes.ts); entry ids are ASCII and stay text.
 */
import { fieldRecord } from '@redis-agent-kit/patterns';
import { z } from 'zod';
import { ByteRecord, BytesIn } from '../bytes.ts';
import type { Limits } from '../config.ts';
import { assertValueSize, ttlForNewKey } from '../guard.ts';
import { type Answer, args, DEFAULT_COUNT, defineGroup, defineTool, type ToolContext } from '../tool.ts';
import { writeKey } from '../write.ts';

type RawEntry = [Buffer, Buffer[]];

/** Entries with binary-safe fields; ids are ASCII. */
function entries(raw: RawEntry[]): { id: string; fields: ByteRecord }[] {
  return raw.map(([id, flat]) => ({ id: id.toString(), fields: ByteRecord.fromFlat(flat) }));
}

const OPS = {
  range: ['read', 'start..end ids'],
  info: ['read', '', 'O(groups)'],
  pending: ['read', ''],
  add: ['write', 'maxlen: ~cap'],
  group_create: ['write', 'from id ($: new only)'],
  group_read: ['write', ''],
  ack: ['write', '', 'O(ids)'],
} as const;

const input = (limits: Limits) => ({
  key: args.key,
  start: args.name(limits).optional(),
  end: args.name(limits).optional(),
  count: args.count(limits),
  group: z.string().optional(),
  consumer: z.string().optional(),
  id: args.name(limits).optional(),
  ids: z.array(args.name(limits)).max(limits.maxItems).optional(),
  fields: args.fields.optional(),
  maxlen: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  ttl: args.ttl,
  encoding: args.encoding,
});

const output = {
  entries: z.array(z.object({ id: z.string(), fields: z.record(z.string(), z.string()) })).optional(),
  id: z.string().optional(),
  changed: z.number().int().optional(),
  info: z.record(z.string(), z.unknown()).optional(),
  encoding: args.encoding,
};

type Op = keyof typeof OPS;
type Input = z.output<z.ZodObject<ReturnType<typeof input>>> & { op: Op };
type Output = Answer<z.output<z.ZodObject<typeof output>>>;

const count = (a: Input) => a.count ?? DEFAULT_COUNT;

const bytesIn = (a: Input, ctx: ToolContext) => new BytesIn(a.encoding, ctx.limits);

/** The group name as bytes (base64 with the call's `encoding`), bounded like every name. */
function group(a: Input, ctx: ToolContext): Buffer {
  if (a.group === undefined || a.group === '') throw new Error(`${a.op} needs group`);
  return bytesIn(a, ctx).name(a.group, 'group');
}

const keyOf = (a: Input, ctx: ToolContext) => bytesIn(a, ctx).name(a.key, 'key');

async function range(a: Input, ctx: ToolContext): Promise<Output> {
  const raw = (await ctx.redis.xrangeBuffer(
    keyOf(a, ctx),
    a.start ?? '-',
    a.end ?? '+',
    'COUNT',
    count(a),
  )) as RawEntry[];
  return { entries: entries(raw) };
}

/** XINFO STREAM's first/last entry, binary-safe. */
function entry(raw: unknown) {
  return Array.isArray(raw) ? entries([raw as RawEntry])[0] : null;
}

/** One XINFO GROUPS row: the name as bytes (encoded in the answer like any name), ids as text. */
function groupView(raw: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fieldRecord(raw)).map(([field, value]) => [
      field,
      Buffer.isBuffer(value) && field !== 'name' ? value.toString() : value,
    ]),
  );
}

async function info(a: Input, ctx: ToolContext): Promise<Output> {
  const key = keyOf(a, ctx);
  const stream = fieldRecord(await ctx.redis.callBuffer('XINFO', 'STREAM', key));
  const groups = ((await ctx.redis.callBuffer('XINFO', 'GROUPS', key)) as unknown[]).map(groupView);
  return {
    info: {
      length: stream.length,
      'last-generated-id': String(stream['last-generated-id']),
      'first-entry': entry(stream['first-entry']),
      'last-entry': entry(stream['last-entry']),
      groups: groups.slice(0, count(a)),
    },
  };
}

async function pending(a: Input, ctx: ToolContext): Promise<Output> {
  const rows = (await ctx.redis.callBuffer('XPENDING', keyOf(a, ctx), group(a, ctx), '-', '+', count(a))) as [
    Buffer,
    Buffer,
    number,
    number,
  ][];
  return {
    info: {
      pending: rows.map(([id, consumer, idleMs, deliveries]) => ({
        id: id.toString(),
        consumer,
        idleMs,
        deliveries,
      })),
    },
  };
}

async function add(a: Input, ctx: ToolContext): Promise<Output> {
  const io = bytesIn(a, ctx);
  const fields = Object.entries(a.fields ?? {}).flatMap(([name, value]) => [
    io.name(name, 'field name'),
    io.value(value),
  ]);
  if (!fields.length) throw new Error('add needs fields');
  assertValueSize(fields, ctx.limits);
  const cap = a.maxlen ? ['MAXLEN', '~', a.maxlen] : [];
  const { replies } = await writeKey(ctx, io.name(a.key, 'key'), 'stream', ttlForNewKey(a, ctx.limits), [
    ['XADD', ...cap, a.id ?? '*', ...fields],
  ]);
  return { id: replies[0] as string };
}

async function groupCreate(a: Input, ctx: ToolContext): Promise<Output> {
  // MKSTREAM may create the key, so the TTL rule applies to it as to any write.
  await writeKey(ctx, keyOf(a, ctx), 'stream', ttlForNewKey(a, ctx.limits), [
    ['XGROUP CREATE', group(a, ctx), a.id ?? '$', 'MKSTREAM'],
  ]);
  return { changed: 1 };
}

async function groupRead(a: Input, ctx: ToolContext): Promise<Output> {
  if (a.consumer === undefined || a.consumer === '') throw new Error('group_read needs consumer');
  const consumer = bytesIn(a, ctx).name(a.consumer, 'consumer');
  // No BLOCK: the call answers at once, so it never holds a connection.
  const reply = (await ctx.redis.xreadgroupBuffer(
    'GROUP',
    group(a, ctx),
    consumer,
    'COUNT',
    count(a),
    'STREAMS',
    keyOf(a, ctx),
    '>',
  )) as [Buffer, RawEntry[]][] | null;
  return { entries: entries(reply?.[0]?.[1] ?? []) };
}

async function ack(a: Input, ctx: ToolContext): Promise<Output> {
  const ids = a.ids ?? [];
  if (!ids.length) throw new Error('ack needs ids');
  return { changed: await ctx.redis.xack(keyOf(a, ctx), group(a, ctx), ...ids) };
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
    bound: 'O(log n+count)',
    ops: OPS,
    input: ({ limits }) => input(limits),
    writeArgs: ['consumer', 'id', 'fields', 'maxlen', 'ttl'],
    output,
    run: (a, ctx) => RUN[a.op](a, ctx),
  }),
);
