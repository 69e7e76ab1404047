/**
 * Keys: SCAN with a bounded page (about `count` keys) (on a cluster, master by master, the cursor naming the node), type, TTL,
 * expire, persist and delete (UNLINK, key by key so keys in different slots work).
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { type Command, command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { args, DEFAULT_COUNT, defineGroup, defineTool, masters, sendCommands } from '../tool.ts';

async function scan(redis: RedisClient, cursor: string, match: string, type: string | undefined, count: number) {
  const nodes = masters(redis);
  // Cursor "<node index>:<node cursor>" on a cluster, so one opaque string resumes across its masters.
  const [first, rest] = cursor.includes(':') ? cursor.split(':') : ['0', cursor];
  let node = Number(first);
  let at = rest ?? '0';
  const keys: string[] = [];
  // SCAN rounds may each find few keys; stop at `count` keys or 20 rounds, whichever comes first.
  for (let round = 0; round < 20 && keys.length < count && node < nodes.length; round++) {
    const [next, found] = (await (nodes[node] as RedisClient).call(
      'SCAN',
      at,
      'MATCH',
      match,
      'COUNT',
      count,
      ...(type ? ['TYPE', type] : []),
    )) as [string, string[]];
    keys.push(...found);
    if (next === '0') node++;
    at = next;
  }
  // Nothing found is dropped (the cursor has moved past it), so a page may hold a few more than `count`.
  if (node >= nodes.length) return { keys };
  return { keys, cursor: nodes.length > 1 ? `${node}:${at}` : at };
}

export default defineGroup(
  'keys',
  defineTool({
    name: 'keys',
    summary: 'Keys of any type.',
    ops: {
      scan: ['read', 'pattern (glob), type'],
      info: ['read', 'type, ttl of keys'],
      expire: ['write', 'keys after ttl'],
      persist: ['write', 'drop TTL'],
      del: ['write', 'keys'],
    },
    input: ({ limits }) => ({
      keys: z.array(z.string()).max(limits.maxItems).optional(),
      pattern: z.string().optional(),
      type: z.string().optional(),
      cursor: z.string().optional(),
      count: args.count(limits),
      ttl: args.ttl,
    }),
    writeArgs: ['ttl'],
    output: {
      keys: z.array(z.string()).optional(),
      cursor: z.string().optional(),
      info: z.array(z.object({ key: z.string(), type: z.string(), ttl: z.number().int() })).optional(),
      changed: z.number().int().optional(),
    },
    async run(input, ctx) {
      const keys = input.keys ?? [];
      if (input.op === 'scan') {
        return scan(ctx.redis, input.cursor ?? '0', input.pattern ?? '*', input.type, input.count ?? DEFAULT_COUNT);
      }
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
