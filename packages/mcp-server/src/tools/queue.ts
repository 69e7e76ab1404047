/**
 * The patterns' job queue (`createQueue`): add a job, the queue's stats, peek at its dead letters, retry one. Name the
 * queue as the app does (`queue`, and `prefix`/`partitions`/`group` when the app changed them). A queue's stream is
 * permanent by design (a queue must not expire under unacknowledged jobs), so `add` takes no ttl; an idempotency id's
 * key expires after the queue's window. Payloads are JSON up to the server's value size; answers are bounded by
 * `--max-items` (partitions, dead letters) and dead-letter payloads by PREVIEW_BYTES each.
 */
import { createQueue, type DeadLetter } from '@redis-agent-kit/patterns/queue';
import { z } from 'zod';
import { assertValueSize } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, MAX_TTL_SECONDS, type ToolContext } from '../tool.ts';

/** Bytes of a dead letter's payload shown; longer ones are cut, and `payloadBytes` says how long they were. */
const PREVIEW_BYTES = 1024;

/** Bytes as redis-cli prints them: printable ASCII as it is, `\"` `\\` `\n` `\r` `\t`, anything else `\xNN`. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function letterView(letter: DeadLetter) {
  const { rawPayload, payload, ...rest } = letter;
  const whole = rawPayload.length <= PREVIEW_BYTES;
  return {
    ...rest,
    // A JSON payload that fits is shown as JSON; bytes, invalid JSON and long payloads as escaped (cut) bytes.
    ...(whole && payload !== undefined && !Buffer.isBuffer(payload)
      ? { payload }
      : { payloadEscaped: escapeBytes(rawPayload.subarray(0, PREVIEW_BYTES)) }),
    payloadBytes: rawPayload.length,
  };
}

function queueFor(
  input: { queue: string; prefix?: string | undefined; partitions?: number | undefined; group?: string | undefined },
  ctx: ToolContext,
) {
  return createQueue(ctx.redis, {
    name: input.queue,
    ...(input.prefix ? { prefix: input.prefix } : {}),
    ...(input.partitions ? { partitions: input.partitions } : {}),
    ...(input.group ? { group: input.group } : {}),
    maxPayloadBytes: ctx.limits.maxValueBytes,
  });
}

export default defineGroup(
  'queue',
  defineTool({
    name: 'queue',
    summary: "Job queues; prefix, partitions, group as the app's.",
    bound: 'O(1)',
    ops: {
      stats: ['read', '', 'O(partitions)'],
      dead_letters: ['read', 'newest first', '≤count, 1 KB each'],
      add: ['write', 'id dedupes'],
      retry: ['write', 'deadLetterId'],
    },
    input: ({ limits }) => ({
      queue: args.name(limits),
      prefix: args.name(limits).optional(),
      partitions: z.number().int().min(1).max(1024).optional(),
      group: args.name(limits).optional(),
      count: args.count(limits),
      payload: z.unknown().optional(),
      id: args.name(limits).optional(),
      delayMs: z
        .number()
        .int()
        .min(0)
        .max(MAX_TTL_SECONDS * 1000)
        .optional(),
      priority: z.enum(['high', 'normal']).optional(),
      deadLetterId: args.name(limits).optional(),
    }),
    writeArgs: ['payload', 'id', 'delayMs', 'priority', 'deadLetterId'],
    output: {
      stats: z.record(z.string(), z.unknown()).optional(),
      deadLetters: z.array(z.record(z.string(), z.unknown())).optional(),
      added: z.object({ id: z.string(), partition: z.number(), added: z.boolean() }).optional(),
      retried: z.boolean().optional(),
    },
    destructive: false,
    async run(input, ctx) {
      const queue = queueFor(input, ctx);
      switch (input.op) {
        case 'stats': {
          const { partitions, ...stats } = await queue.stats();
          const shown = partitions.slice(0, ctx.limits.maxItems);
          return {
            stats: {
              ...stats,
              partitions: shown,
              ...(shown.length < partitions.length ? { partitionsOmitted: partitions.length - shown.length } : {}),
            },
          };
        }
        case 'dead_letters':
          return {
            deadLetters: (await queue.deadLetters(Math.min(input.count ?? DEFAULT_COUNT, ctx.limits.maxItems))).map(
              letterView,
            ),
          };
        case 'add': {
          if (input.payload === undefined) throw new Error('add needs payload (any JSON)');
          assertValueSize([JSON.stringify(input.payload)], ctx.limits);
          const options = {
            ...(input.id ? { id: input.id } : {}),
            ...(input.delayMs ? { delayMs: input.delayMs } : {}),
            ...(input.priority ? { priority: input.priority } : {}),
          };
          return { added: await queue.add(input.payload, options) };
        }
        case 'retry': {
          if (!input.deadLetterId) throw new Error('retry needs deadLetterId (from dead_letters)');
          return { retried: await queue.retryDeadLetter(input.deadLetterId) };
        }
      }
    },
  }),
);
