/**
 * Keys: SCAN with a bounded page (about `count` keys) (on a cluster, master by master, the cursor naming the node), type, TTL,
 * expire, persist and delete (UNLINK, key by key so keys in different slots work). Keys are bytes: see bytes.ts.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { type Command, command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { BytesIn } from '../bytes.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, masters, sendCommands } from '../tool.ts';

/** SCAN rounds one call may run: with COUNT ≤ --max-items, a page touches at most this many times that many keys. */
const SCAN_ROUNDS = 20;

async function scan(
  redis: RedisClient,
  cursor: string,
  match: Buffer,
  type: string | undefined,
  count: number,
  maxName: number,
) {
  const nodes = masters(redis);
  // Cursor "<node index>:<node cursor>" on a cluster, so one opaque string resumes across its masters.
  const [first, rest] = cursor.includes(':') ? cursor.split(':') : ['0', cursor];
  let node = Number(first);
  let at = rest ?? '0';
  const keys: Buffer[] = [];
  let long = 0;
  // SCAN rounds may each find few keys; stop at `count` keys or SCAN_ROUNDS rounds, whichever comes first.
  for (let round = 0; round < SCAN_ROUNDS && keys.length < count && node < nodes.length; round++) {
    const [next, found] = (await (nodes[node] as RedisClient).callBuffer(
      'SCAN',
      at,
      'MATCH',
      match,
      'COUNT',
      count,
      ...(type ? ['TYPE', type] : []),
    )) as [Buffer, Buffer[]];
    // A name longer than a call may give could not be used with any tool: counted, not listed.
    for (const key of found) {
      if (key.length > maxName) long++;
      else keys.push(key);
    }
    at = next.toString();
    if (at === '0') node++;
  }
  const extra = long ? { long } : {};
  // Nothing found is dropped (the cursor has moved past it), so a page may hold a few more than `count`.
  if (node >= nodes.length) return { keys, ...extra };
  return { keys, cursor: nodes.length > 1 ? `${node}:${at}` : at, ...extra };
}

export default defineGroup(
  'keys',
  defineTool({
    name: 'keys',
    summary: 'Keys of any type.',
    bound: 'O(1)/key',
    ops: {
      scan: ['read', 'glob pattern, type', `≤${SCAN_ROUNDS} SCAN rounds`],
      info: ['read', 'type, ttl'],
      expire: ['write', ''],
      persist: ['write', ''],
      del: ['write', ''],
    },
    input: ({ limits }) => ({
      keys: z.array(z.string()).max(limits.maxItems).optional(),
      pattern: z.string().optional(),
      type: args.name(limits).optional(),
      cursor: args.name(limits).optional(),
      count: args.count(limits),
      ttl: args.expiry,
      encoding: args.encoding,
    }),
    writeArgs: ['ttl'],
    output: {
      keys: z.array(z.string()).optional(),
      cursor: z.string().optional(),
      long: z.number().int().optional(),
      info: z.array(z.object({ key: z.string(), type: z.string(), ttl: z.number().int() })).optional(),
      changed: z.number().int().optional(),
      encoding: args.encoding,
    },
    async run(input, ctx) {
      const io = new BytesIn(input.encoding, ctx.limits);
      if (input.op === 'scan') {
        const match = io.name(input.pattern ?? '*', 'pattern');
        const count = input.count ?? DEFAULT_COUNT;
        return scan(ctx.redis, input.cursor ?? '0', match, input.type, count, ctx.limits.maxNameBytes);
      }
      const keys = io.names(input.keys ?? [], 'key');
      if (!keys.length) throw new Error(`${input.op} needs keys`);
      const { op, ttl } = input;
      if (op === 'expire' && ttl === undefined) throw new Error('expire needs ttl');
      const commands = keys.flatMap((key): Command[] => {
        if (op === 'info') return [command('TYPE', key), command('TTL', key)];
        if (op === 'expire') return [command('EXPIRE', key, ttl as number)];
        return [command(op === 'persist' ? 'PERSIST' : 'UNLINK', key)];
      });
      const values = await sendCommands(ctx, commands);
      if (input.op === 'info') {
        return {
          info: keys.map((key, i) => ({ key, type: values[2 * i] as string, ttl: values[2 * i + 1] as number })),
        };
      }
      return { changed: values.reduce<number>((sum, v) => sum + Number(v), 0) };
    },
  }),
);
