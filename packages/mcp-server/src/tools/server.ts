/**
 * Server diagnostics: INFO by section, DBSIZE, SLOWLOG, MEMORY USAGE, CLIENT LIST, and on a cluster the nodes
 * with their slot distribution. Node-level answers come per master on a cluster, so nothing is hidden by routing.
 */
import { parseInfo } from '@redis-agent-kit/patterns';
import { nodeAddress } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { BytesIn } from '../bytes.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, masters } from '../tool.ts';

/** CLUSTER NODES → one row per node, masters with their slot count and ranges. */
export function parseClusterNodes(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '-', , , , link = '', ...slots] = line.split(' ');
      const ranges = slots.filter((s) => !s.startsWith('['));
      const count = ranges.reduce((sum, range) => {
        const [from, to = from] = range.split('-').map(Number);
        return sum + (to as number) - (from as number) + 1;
      }, 0);
      return {
        id: id.slice(0, 8),
        addr: addr.split('@')[0],
        role: flags.includes('master') ? 'master' : 'replica',
        ...(master !== '-' ? { master: master.slice(0, 8) } : {}),
        link,
        ...(flags.includes('master') ? { slots: count, ranges } : {}),
      };
    });
}

export default defineGroup(
  'server',
  defineTool({
    name: 'server',
    summary: 'Server diagnostics, per master on a cluster.',
    bound: 'O(1)/master',
    ops: {
      info: ['read', ''],
      dbsize: ['read', ''],
      slowlog: ['read', '', '≤count'],
      memory: ['read', 'bytes of key', 'SAMPLES 5'],
      clients: ['read', '', 'O(clients), ≤count'],
      cluster: ['read', 'slots', 'O(nodes)'],
    },
    input: ({ limits }) => ({
      section: args.name(limits).optional(),
      key: args.key.optional(),
      count: args.count(limits),
      encoding: args.encoding,
    }),
    output: {
      nodes: z.array(z.record(z.string(), z.unknown())),
      total: z.number().int().optional(),
      encoding: args.encoding,
    },
    async run(input, ctx) {
      const count = input.count ?? DEFAULT_COUNT;
      const redis = ctx.redis;
      switch (input.op) {
        case 'info': {
          const section = input.section ?? 'server';
          const nodes = await Promise.all(
            masters(redis).map(async (n) => ({ node: nodeAddress(n), ...parseInfo(String(await n.info(section))) })),
          );
          return { nodes };
        }
        case 'dbsize': {
          const nodes = await Promise.all(
            masters(redis).map(async (n) => ({ node: nodeAddress(n), keys: await n.dbsize() })),
          );
          return { nodes, total: nodes.reduce((sum, n) => sum + n.keys, 0) };
        }
        case 'slowlog': {
          const nodes = await Promise.all(
            masters(redis).map(async (n) => {
              const rows = (await n.call('SLOWLOG', 'GET', count)) as [number, number, number, string[]][];
              return {
                node: nodeAddress(n),
                slowlog: rows.map(([id, at, micros, argv]) => ({
                  id,
                  at: new Date(at * 1000).toISOString(),
                  micros,
                  command: argv.join(' ').slice(0, 200),
                })),
              };
            }),
          );
          return { nodes };
        }
        case 'memory': {
          if (input.key === undefined) throw new Error('memory needs key');
          // A key is bytes like in every other tool: base64 with encoding, and answered the same way.
          const key = new BytesIn(input.encoding, ctx.limits).name(input.key, 'key');
          const bytes = (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', 5)) as number | null;
          return { nodes: [{ key, bytes }], ...(bytes !== null ? { total: bytes } : {}) };
        }
        case 'clients': {
          const nodes = await Promise.all(
            masters(redis).map(async (n) => {
              const lines = String(await n.call('CLIENT', 'LIST'))
                .trim()
                .split('\n');
              const clients = lines.slice(0, count).map((line) => {
                const f = Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string]));
                return { id: f.id, addr: f.addr, name: f.name, user: f.user, age: f.age, idle: f.idle, cmd: f.cmd };
              });
              return { node: nodeAddress(n), total: lines.length, clients };
            }),
          );
          return { nodes };
        }
        case 'cluster': {
          if (!redis.isCluster) {
            throw new Error('not a cluster: start the MCP server with --cluster-mode against a cluster node');
          }
          const nodes = parseClusterNodes(String(await redis.call('CLUSTER', 'NODES')));
          return { nodes, total: nodes.reduce((sum, n) => sum + Number(n.slots ?? 0), 0) };
        }
      }
    },
  }),
);
