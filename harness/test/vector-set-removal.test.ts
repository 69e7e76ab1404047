/**
 * Removing vector-set elements the way the kit does never crashes the server. Redis 8.0's vector sets can be left
 * with their top level below their tallest nodes, and a plain `VREM` of such a node then crashes the server
 * (redis/redis#15424; see packages/patterns/src/vector/vrem-or-defer.ts). This churn is the one that did it on a
 * private Redis 8.0.6 within seconds with plain `VREM`: small Q8 sets of near-duplicate vectors, elements added and
 * removed at random, each set emptied now and then. Here every removal goes through the kit's `vrem_or_defer`, and the
 * server must still answer at the end. Private servers: a crash must not take the shared targets down with it.
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect, probeCapabilities } from '@redis-agent-kit/patterns';
import { openVectorIndex, VectorRemovalHeldError, VREM_OR_DEFER } from '@redis-agent-kit/patterns/vector';
import { EXPIRY_SWEEP } from '../../packages/patterns/src/vector/expiry-sweep.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGETS } from '../src/targets/catalog.ts';
import { LocalServer } from '../src/targets/local-server.ts';

const NAMES = 20;
const DIM = 128;
const STEPS_PER_CYCLE = 60;
const REMOVALS = 150_000;

/** Vectors within about 1% of one random vector, as FP32 blobs: the near-duplicates the crash needs. */
function nearDuplicates(): () => Buffer {
  const base = Float32Array.from({ length: DIM }, () => Math.random() * 2 - 1);
  return () => Buffer.from(Float32Array.from(base, (x) => x + (Math.random() - 0.5) * 0.05).buffer);
}

/** The Debian builds of Redis with vector sets among the targets (8.0 and later). */
const builds = [...new Set(TARGETS.filter((t) => t.server === 'redis' && t.version !== '7.0').map((t) => t.suite))];

describe('vector-set removals under churn', () => {
  const servers: LocalServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.stop())));
  /** A private server of this build (stopped after the file) and a client to it. */
  async function privateRedis(suite: (typeof builds)[number] | undefined) {
    const server = await LocalServer.start({ kind: 'redis', suite });
    servers.push(server);
    return { server, client: await connect({ url: server.url }) };
  }

  for (const suite of builds) {
    it(
      `Redis from Debian ${suite}: ${REMOVALS.toLocaleString('en')} removals of near-duplicates, and the server still answers`,
      {
        timeout: 300_000,
      },
      async (ctx) => {
        const { server, client } = await privateRedis(suite);
        const nearDuplicate = nearDuplicates();
        const tally = { added: 0, removed: 0, held: 0 };
        const remove = async (key: string, name: string) => {
          const reply = Number(await VREM_OR_DEFER.run(client, [key], [name]));
          if (reply === 1) tally.removed++;
          if (reply === -1) tally.held++;
          return reply;
        };
        try {
          for (let set = 0; tally.removed < REMOVALS; set++) {
            const key = `rak:vrem:${randomBytes(4).toString('hex')}:${set}`;
            const members = new Set<string>();
            for (let cycle = 0; cycle < 30 && tally.removed < REMOVALS; cycle++) {
              for (let step = 0; step < STEPS_PER_CYCLE; step++) {
                const name = `e${Math.floor(Math.random() * NAMES)}`;
                if (Math.random() < 0.58) {
                  if (members.has(name)) continue; // re-adding a member is VADD's update path: a removal too
                  await client.call('VADD', key, 'FP32', nearDuplicate(), name, 'Q8');
                  members.add(name);
                  tally.added++;
                } else if ((await remove(key, name)) !== -1) members.delete(name);
              }
              for (const name of [...members].sort(() => Math.random() - 0.5))
                if ((await remove(key, name)) !== -1) members.delete(name);
            }
            await client.del(key);
          }
          expect(await client.ping()).toBe('PONG');
        } finally {
          await closeClient(client);
        }
        expect(server.running, `the server died:\n${server.crashReport(null, null)}`).toBe(true);
        // Held back: removals a plain VREM would have made in the state that crashes the server (none on a fixed Redis).
        await ctx.annotate(`${tally.added} added, ${tally.removed} removed, ${tally.held} held back`);
      },
    );
  }

  it(
    'a held-back removal stays in the expiry index for the next sweep; the vector index says which items it left',
    { timeout: 300_000 },
    async (ctx) => {
      const { client } = await privateRedis(builds[0]);
      const nearDuplicate = nearDuplicates();
      try {
        // Churn sets until one holds an element back: that set is in the state a plain VREM would crash on.
        let held: { key: string; name: string; prefix: string } | undefined;
        for (let set = 0; !held && set < 20_000; set++) {
          const prefix = `rak:vrem:{held}:${set}`;
          const key = `${prefix}:vset`;
          for (let step = 0; !held && step < 1_000; step++) {
            const name = `e${Math.floor(Math.random() * NAMES)}`;
            if (Math.random() < 0.58) {
              if (!(await client.call('VISMEMBER', key, name)))
                await client.call('VADD', key, 'FP32', nearDuplicate(), name, 'Q8');
            } else if (Number(await VREM_OR_DEFER.run(client, [key], [name])) === -1) held = { key, name, prefix };
          }
        }
        if (!held) return ctx.skip('no set reached the state that crashes VREM: this Redis may have redis/redis#15547');
        const expiry = 'rak:vrem:{held}:exp';
        await client.zadd(expiry, 0, held.name);
        const removed = Number(await EXPIRY_SWEEP.run(client, [held.key, expiry], [20, 'rak:vrem:{held}:data:']));
        expect(removed).toBe(0);
        expect(Number(await client.call('VISMEMBER', held.key, held.name))).toBe(1);
        expect(await client.zscore(expiry, held.name), 'still in the expiry index for the next sweep').toBe('0');

        const index = openVectorIndex(client, {
          name: 'held',
          keyPrefix: held.prefix,
          dim: DIM,
          capabilities: await probeCapabilities(client),
        });
        const vector = Array.from(new Float32Array(nearDuplicate().buffer));
        const before = await client.call('VEMB', held.key, held.name, 'RAW');
        await expect(index.upsert([{ id: held.name, vector }])).rejects.toThrow(VectorRemovalHeldError);
        await expect(index.delete([held.name])).rejects.toThrow(/held back 1 \(e\d+\).*redis\/redis#15424/);
        expect(await client.call('VEMB', held.key, held.name, 'RAW'), 'the held item is as it was').toEqual(before);
        expect(await client.ping()).toBe('PONG');
      } finally {
        await closeClient(client);
      }
    },
  );

  it('an upsert the server refuses leaves the element it would have replaced', async () => {
    const { client } = await privateRedis(builds[0]);
    try {
      const prefix = 'rak:vrem:{refused}';
      await client.call('VADD', `${prefix}:vset`, 'VALUES', '4', '1', '0', '0', '0', 'kept', 'Q8');
      await client.call('VADD', `${prefix}:vset`, 'VALUES', '4', '0', '1', '0', '0', 'other', 'Q8');
      // An index that expects 8 dimensions on a set of 4: the client's check passes, the server refuses the VADD.
      const index = openVectorIndex(client, {
        name: 'refused',
        keyPrefix: prefix,
        dim: 8,
        capabilities: await probeCapabilities(client),
      });
      await expect(index.upsert([{ id: 'kept', vector: [0, 0, 1, 0, 0, 0, 0, 0] }])).rejects.toThrow(/dimension/i);
      expect(Number(await client.call('VISMEMBER', `${prefix}:vset`, 'kept'))).toBe(1);
      expect(Number(await client.call('VCARD', `${prefix}:vset`))).toBe(2);
    } finally {
      await closeClient(client);
    }
  });
});
