/**
 * Writes through the MCP server never damage data, on every target: a failed write changes nothing (no TTL
 * scheduled, no half-applied increments), and the TTL rule is the one the server instructions state: `ttl` (`ttl: 0`
 * for none) and `--default-ttl` apply to a key the write creates; an existing key keeps its TTL, including none.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessSession, type McpSession } from '../src/suites/mcp-server.suite.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

/** One write per data type, on `key`, that works on a fresh key and on an existing key of that type. */
const WRITES: Record<string, (key: string) => [tool: string, args: Record<string, unknown>]> = {
  string: (key) => ['string', { op: 'incr', key, value: '1' }],
  hash: (key) => ['hash', { op: 'set', key, fields: { added: '1' } }],
  list: (key) => ['list', { op: 'push', key, values: ['added'] }],
  set: (key) => ['set', { op: 'add', key, members: ['added'] }],
  zset: (key) => ['zset', { op: 'add', key, entries: [{ member: 'added', score: 1 }] }],
  stream: (key) => ['stream', { op: 'add', key, fields: { added: '1' } }],
};

/** Creates `key` as a permanent key of `type` through a plain client. */
async function seed(client: RedisClient, type: string, key: string): Promise<void> {
  if (type === 'string') await client.set(key, '41');
  if (type === 'hash') await client.hset(key, 'app', 'data');
  if (type === 'list') await client.rpush(key, 'app');
  if (type === 'set') await client.sadd(key, 'app');
  if (type === 'zset') await client.zadd(key, 1, 'app');
  if (type === 'stream') await client.xadd(key, '*', 'app', 'data');
}

for (const t of targets()) {
  describe(`${t.name}: MCP writes never damage data`, () => {
    let client: RedisClient;
    let s: McpSession;
    // One hash tag, so keys used together stay in one cluster slot.
    const base = `{rak:mcp-w:${randomBytes(4).toString('hex')}}`;
    const k = (name: string) => `${base}:${name}`;
    const keys: string[] = [];
    const key = (name: string) => {
      keys.push(k(name));
      return k(name);
    };

    beforeAll(async () => {
      client = await clientFor(t as TargetInfo);
      s = await inProcessSession(t, ['--profile', 'full', '--default-ttl', '120']);
    });
    afterAll(async () => {
      await s.close();
      for (const name of keys) await client.unlink(name);
    });

    it('a write of the wrong type changes nothing: no TTL on the permanent key, no overwrite', async () => {
      const str = key('perm-string');
      await client.set(str, 'keep');
      for (const [tool, args] of [
        ['list', { op: 'push', key: str, values: ['x'], ttl: 5 }],
        ['hash', { op: 'set', key: str, fields: { a: '1' } }],
        ['set', { op: 'add', key: str, members: ['x'] }],
        ['zset', { op: 'incr', key: str, entries: [{ member: 'x', score: 1 }] }],
        ['stream', { op: 'add', key: str, fields: { a: '1' }, ttl: 5 }],
      ] as const) {
        expect(await s.fails(tool, args), `${tool} ${args.op}`).toMatch(/WRONGTYPE/);
        expect(await client.ttl(str), `${tool} ${args.op} left the TTL alone`).toBe(-1);
      }
      const hash = key('perm-hash');
      await client.hset(hash, 'app', 'data');
      expect(await s.fails('string', { op: 'set', key: hash, value: 'overwritten', ttl: 5 })).toMatch(/WRONGTYPE/);
      expect(await client.hgetall(hash)).toEqual({ app: 'data' });
      expect(await client.ttl(hash)).toBe(-1);
    });

    it('a failed increment changes nothing and sets no TTL', async () => {
      const text = key('text');
      await client.set(text, 'abc');
      expect(await s.fails('string', { op: 'incr', key: text, value: '1', ttl: 5 })).toMatch(/not an integer/);
      expect(await client.ttl(text)).toBe(-1);
      const atMax = key('at-max');
      await client.set(atMax, '9223372036854775807');
      expect(await s.fails('string', { op: 'incr', key: atMax, value: '1' })).toMatch(/overflow/);
      expect(await client.ttl(atMax)).toBe(-1);

      const hash = key('counters');
      await client.hset(hash, 'n', '1', 'word', 'abc');
      const text2 = await s.fails('hash', { op: 'incr', key: hash, fields: { n: '5', word: '1' }, ttl: 5 });
      expect(text2).toMatch(/not a number|not a float/);
      expect(await client.hgetall(hash), 'the first increment was not applied').toEqual({ n: '1', word: 'abc' });
      expect(await client.ttl(hash)).toBe(-1);

      const fresh = key('fresh-counters');
      await client.hset(fresh, 'big', 'inf');
      expect(await s.fails('hash', { op: 'incr', key: fresh, fields: { small: '1', big: '1' } })).toMatch(
        /NaN or Infinity|not a number/,
      );
      expect(await client.hgetall(fresh)).toEqual({ big: 'inf' });
    });

    it('a consumer group that exists already (BUSYGROUP) sets no TTL on the stream', async () => {
      const stream = key('perm-stream');
      await client.xadd(stream, '*', 'e', '1');
      await client.xgroup('CREATE', stream, 'g', '0');
      expect(await s.fails('stream', { op: 'group_create', key: stream, group: 'g', ttl: 5 })).toMatch(/BUSYGROUP/);
      expect(await client.ttl(stream)).toBe(-1);
    });

    it('an existing key keeps its TTL, including none, whatever ttl (0 included) or the default say', async () => {
      for (const [type, write] of Object.entries(WRITES)) {
        const permanent = key(`keep-none-${type}`);
        await seed(client, type, permanent);
        const [tool, args] = write(permanent);
        await s.ok(tool, args);
        await s.ok(tool, { ...args, ttl: 5 });
        expect(await client.ttl(permanent), `${type}: a permanent key stays permanent`).toBe(-1);

        const expiring = key(`keep-ttl-${type}`);
        await seed(client, type, expiring);
        await client.expire(expiring, 1000);
        await s.ok(tool, { ...write(expiring)[1], ttl: 0 });
        const ttl = await client.ttl(expiring);
        expect(ttl > 120 && ttl <= 1000, `${type}: kept its TTL (${ttl})`).toBe(true);
      }
    });

    it('a key the write creates gets ttl, else the default TTL, or none with ttl: 0', async () => {
      for (const [type, write] of Object.entries(WRITES)) {
        const [tool, args] = write(key(`new-default-${type}`));
        await s.ok(tool, args);
        const byDefault = await client.ttl(args.key as string);
        expect(byDefault > 0 && byDefault <= 120, `${type}: default TTL (${byDefault})`).toBe(true);

        const [, withTtl] = write(key(`new-ttl-${type}`));
        await s.ok(tool, { ...withTtl, ttl: 30 });
        const ttl = await client.ttl(withTtl.key as string);
        expect(ttl > 0 && ttl <= 30, `${type}: ttl (${ttl})`).toBe(true);

        const [, forever] = write(key(`new-permanent-${type}`));
        await s.ok(tool, { ...forever, ttl: 0 });
        expect(await client.ttl(forever.key as string), `${type}: permanent`).toBe(-1);
      }
      const group = key('new-group-stream');
      await s.ok('stream', { op: 'group_create', key: group, group: 'g' });
      const ttl = await client.ttl(group);
      expect(ttl > 0 && ttl <= 120, `group_create with MKSTREAM: default TTL (${ttl})`).toBe(true);
      const str = key('new-set-string');
      expect((await s.ok('string', { op: 'set', key: str, value: 'v' })).ttl).toBeGreaterThan(0);
      await client.persist(str);
      expect((await s.ok('string', { op: 'set', key: str, value: 'v2', ttl: 30 })).ttl).toBe(-1);
      expect(await client.get(str)).toBe('v2');
    });

    it('list pop without count pops one element, as LPOP does', async () => {
      const list = key('pop');
      await client.rpush(list, 'a', 'b', 'c');
      expect(await s.ok('list', { op: 'pop', key: list, left: true })).toEqual({ items: ['a'], length: 2 });
      expect(await s.ok('list', { op: 'pop', key: list })).toEqual({ items: ['c'], length: 1 });
      expect(await s.ok('list', { op: 'pop', key: key('no-list') })).toEqual({ items: [], length: 0 });
    });
  });
}

for (const t of targets().filter((target) => target.capabilities.vectorSets)) {
  describe(`${t.name}: vector upsert follows the TTL policy of every write`, () => {
    const index = `rak_mcp_w_${randomBytes(4).toString('hex')}`;
    const vset = (name: string) => `vector:${name}:vset`;
    const docs = [{ id: 'a', text: 'a brass desk lamp' }];
    let client: RedisClient;

    beforeAll(async () => {
      client = await clientFor(t);
    });
    afterAll(async () => {
      for (const suffix of ['zero', 'ttl', 'perm', 'default']) await client.unlink(vset(`${index}_${suffix}`));
    });

    it('refused with --default-ttl 0 unless ttl is given (0: none); a created index gets the TTL', async () => {
      const s = await inProcessSession(t, ['--tools', 'vector', '--default-ttl', '0']);
      try {
        expect(await s.fails('vector', { op: 'upsert', index: `${index}_zero`, docs })).toMatch(/writes need a TTL/);
        expect(await client.exists(vset(`${index}_zero`))).toBe(0);
        await s.ok('vector', { op: 'upsert', index: `${index}_ttl`, docs, ttl: 60 });
        const ttl = await client.ttl(vset(`${index}_ttl`));
        expect(ttl > 0 && ttl <= 60, `ttl ${ttl}`).toBe(true);
        await s.ok('vector', { op: 'upsert', index: `${index}_perm`, docs, ttl: 0 });
        expect(await client.ttl(vset(`${index}_perm`))).toBe(-1);
        await s.ok('vector', { op: 'upsert', index: `${index}_perm`, docs, ttl: 60 });
        expect(await client.ttl(vset(`${index}_perm`)), 'an existing index keeps its TTL (none)').toBe(-1);
      } finally {
        await s.close();
      }
      const d = await inProcessSession(t, ['--tools', 'vector', '--default-ttl', '90']);
      try {
        await d.ok('vector', { op: 'upsert', index: `${index}_default`, docs });
        const ttl = await client.ttl(vset(`${index}_default`));
        expect(ttl > 0 && ttl <= 90, `default ${ttl}`).toBe(true);
      } finally {
        await d.close();
      }
    });
  });
}
