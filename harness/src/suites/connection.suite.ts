/**
 * The foundation's suite: every target answers through the connection factory, is the server it claims to be,
 * and its capability probe tells the truth (each probed command works where the probe says so and is unknown
 * where it says not). On the cluster, all slots are covered and every master takes a write.
 */
import assert from 'node:assert/strict';
import type { CapabilityName, RedisClient } from '@redis-agent-kit/patterns';
import { Cluster } from 'ioredis';
import { defineSuite } from '../matrix/suite.ts';
import { targetSpec, versionMatches } from '../targets/catalog.ts';

/** A command that exercises each capability, and whether the server refused it as unknown. */
async function unknownCommand(client: RedisClient, capability: CapabilityName, key: string): Promise<boolean> {
  const attempts: Record<CapabilityName, () => Promise<unknown>> = {
    json: () => client.call('JSON.SET', key, '$', '{"a":1}'),
    search: () => client.call('FT._LIST'),
    vectorSets: () => client.call('VADD', key, 'VALUES', '2', '0.1', '0.2', 'm1'),
    hashFieldTtl: async () => {
      await client.hset(key, 'f', 'v');
      return client.call('HEXPIRE', key, '60', 'FIELDS', '1', 'f');
    },
  };
  try {
    await attempts[capability]();
    return false;
  } catch (error) {
    if (/unknown command/i.test((error as Error).message)) return true;
    throw error;
  } finally {
    await client.unlink(key);
  }
}

export default defineSuite({
  id: 'connection',
  title: 'Connection factory and capabilities probe',
  checks: [
    {
      name: 'answers PING and is the expected server and version',
      async run({ client, target, note }) {
        assert.equal(await client.ping(), 'PONG');
        // A target from the table must run the server and version its line names (a stale provisioned build or a
        // wrong Docker image is caught here); a REDIS_TARGETS server is whatever it is, and the note says what.
        const expected = target.provider === 'url' ? undefined : targetSpec(target.name);
        if (expected) assert.equal(target.capabilities.server, expected.server);
        if (expected && target.provider === 'local') {
          assert.ok(
            versionMatches(target.capabilities.version, expected.version),
            `${target.name} runs ${target.capabilities.version}, the target table says ${expected.version}: run npm run ` +
              'provision (it installs again when the cache is stale; when the archive has moved on, update the line)',
          );
        }
        note(`${target.capabilities.server} ${target.capabilities.version}`);
      },
    },
    {
      name: 'capability probe matches what the server does',
      async run({ client, prefix, target }) {
        for (const capability of ['json', 'search', 'vectorSets', 'hashFieldTtl'] as const) {
          const unknown = await unknownCommand(client, capability, `${prefix}:${capability}`);
          assert.equal(
            !unknown,
            target.capabilities[capability],
            `probe says ${capability}=${target.capabilities[capability]}`,
          );
        }
      },
    },
    {
      name: 'keys set with a TTL read back through the factory client',
      async run({ client, prefix }) {
        await client.set(`${prefix}:k`, 'v', 'EX', 60);
        assert.equal(await client.get(`${prefix}:k`), 'v');
        const ttl = await client.ttl(`${prefix}:k`);
        assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}`);
        await client.unlink(`${prefix}:k`);
      },
    },
    {
      name: 'cluster: all 16384 slots covered and every master takes a write',
      topology: 'cluster',
      async run({ client, prefix }) {
        assert.ok(client instanceof Cluster, 'the factory returns a cluster client for a cluster target');
        const slots = (await client.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
        const covered = slots.reduce((sum, [from, to]) => sum + to - from + 1, 0);
        assert.equal(covered, 16384);
        // One key per master, found by asking the server for each candidate key's slot.
        for (const [from, to, [host, port]] of slots) {
          let key = '';
          for (let i = 0; !key; i++) {
            const slot = (await client.cluster('KEYSLOT', `${prefix}:${i}`)) as number;
            if (slot >= from && slot <= to) key = `${prefix}:${i}`;
          }
          await client.set(key, `${host}:${port}`, 'EX', 60);
          assert.equal(await client.get(key), `${host}:${port}`);
          await client.unlink(key);
        }
        assert.ok(slots.length >= 3, `${slots.length} slot ranges`);
      },
    },
  ],
});
