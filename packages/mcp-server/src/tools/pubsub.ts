/**
 * Pub/sub: publish, and listening that waits a bounded time on a dedicated connection and returns what arrived
 * (channels, patterns, or keyspace notifications). On a cluster, keyspace notifications are per node, so a watch
 * listens on every master.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { z } from 'zod';
import { utf8 } from '../bytes.ts';
import { assertValueSize, PolicyError } from '../guard.ts';
import {
  args,
  type ClusterClient,
  DEFAULT_COUNT,
  defineGroup,
  defineTool,
  masters,
  type StandaloneClient,
  type ToolContext,
} from '../tool.ts';

/** Channel names and payloads are bytes (ioredis' Buffer events), encoded in the answer like any value. */
interface Message {
  channel: Buffer;
  message: Buffer;
}

/** Calls listening now, per server: each holds its own Redis connections until it returns. */
const listening = new WeakMap<ToolContext, { active: number }>();

/** Counts a listener in, or refuses one past `--max-listeners`; the returned function counts it out. */
function admitListener(ctx: ToolContext): () => void {
  let state = listening.get(ctx);
  if (!state) listening.set(ctx, (state = { active: 0 }));
  if (state.active >= ctx.limits.maxListeners) {
    throw new PolicyError(
      `${state.active} listening calls are already waiting, the most this server allows (--max-listeners ${ctx.limits.maxListeners}): retry when one has returned`,
    );
  }
  state.active++;
  const counted = state;
  return () => {
    counted.active--;
  };
}

/** Whether notify-keyspace-events enables keyspace (K) events of some class; undefined when we may not ask. */
async function keyspaceEventsOn(client: RedisClient): Promise<boolean | undefined> {
  try {
    const [, flags = ''] = (await client.config('GET', 'notify-keyspace-events')) as string[];
    return /K/.test(flags) && /[Ag$lshzxetdmn]/.test(flags);
  } catch {
    return undefined;
  }
}

async function listen(
  ctx: ToolContext,
  mode: 'subscribe' | 'psubscribe' | 'keyspace',
  target: string,
  waitMs: number,
  max: number,
): Promise<{ messages: Message[]; timedOut: boolean }> {
  const db = ctx.config.target.cluster ? 0 : ctx.config.target.db;
  const prefix = `__keyspace@${db}__:`;
  const pattern = mode === 'keyspace' ? `${prefix}${target}` : target;
  const prefixBytes = Buffer.byteLength(prefix);
  const redis = ctx.redis;
  // A subscribed connection can do nothing else, so each call gets its own and closes it.
  const subscribers: RedisClient[] =
    mode === 'keyspace'
      ? masters(redis).map((node) => node.duplicate())
      : [redis.isCluster ? (redis as ClusterClient).duplicate() : (redis as StandaloneClient).duplicate()];
  const messages: Message[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const push = (channel: Buffer, message: Buffer) => {
    if (messages.length >= max) return;
    messages.push({ channel: mode === 'keyspace' ? channel.subarray(prefixBytes) : channel, message });
    if (messages.length >= max) done();
  };
  try {
    await Promise.all(
      subscribers.map(async (sub) => {
        sub.on('error', () => {});
        sub.on('messageBuffer', push);
        sub.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => push(channel, message));
        if (mode === 'subscribe') await sub.subscribe(pattern);
        else await sub.psubscribe(pattern);
      }),
    );
    const timer = setTimeout(done, waitMs);
    await finished;
    clearTimeout(timer);
    return { messages, timedOut: messages.length < max };
  } finally {
    for (const sub of subscribers) sub.disconnect();
  }
}

export default defineGroup(
  'pubsub',
  defineTool({
    name: 'pubsub',
    summary: 'Pub/sub; listening returns what arrives',
    bound: '≤count messages, ≤waitMs',
    ops: {
      subscribe: ['read', ''],
      psubscribe: ['read', 'glob channel'],
      keyspace: ['read', 'key events, glob channel'],
      publish: ['write', '', 'O(receivers)'],
    },
    input: ({ limits }) => ({
      channel: args.name(limits).pipe(z.string().min(1)),
      message: z.string().optional(),
      waitMs: z.number().int().min(1).max(limits.maxWaitMs).optional(),
      count: z.number().int().min(1).max(limits.maxItems).optional(),
    }),
    writeArgs: ['message'],
    destructive: false,
    output: {
      messages: z.array(z.object({ channel: z.string(), message: z.string() })).optional(),
      encoding: args.encoding,
      timedOut: z.boolean().optional(),
      receivers: z.number().int().optional(),
    },
    async run(input, ctx) {
      if (input.op === 'publish') {
        if (input.message === undefined) throw new Error('publish needs message');
        const message = utf8(input.message, 'message');
        assertValueSize([message], ctx.limits);
        return { receivers: await ctx.redis.publish(input.channel, message) };
      }
      if (input.op === 'keyspace' && (await keyspaceEventsOn(ctx.redis)) === false) {
        throw new Error(
          'keyspace notifications are off on this server (notify-keyspace-events lacks K and an event class); an operator can enable them with CONFIG SET notify-keyspace-events KEA (this MCP server never changes server configuration)',
        );
      }
      const release = admitListener(ctx);
      try {
        return await listen(ctx, input.op, input.channel, input.waitMs ?? 1000, input.count ?? DEFAULT_COUNT);
      } finally {
        release();
      }
    },
  }),
);
