/**
 * Field names that are also names of JavaScript's object machinery (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`) are data like any other through the MCP server, on every target: a hash or stream field, a
 * session data field, a vector attribute, a cache value's or job payload's member of that name is stored exactly
 * (read back with a plain client) and answered exactly, or the call is refused saying why (a filter on `__proto__`).
 * zod's records drop a `__proto__` key while parsing, which lost such a field without an error.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessSession, type McpSession, mcpSession } from '../src/suites/mcp-server.suite.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'plain'] as const;

/** An object with each name as an own property (`Object.fromEntries` defines them, as `JSON.parse` does). */
const named = <V>(value: (name: string) => V): Record<string, V> =>
  Object.fromEntries(NAMES.map((name) => [name, value(name)]));

/** Own entries, sorted by name: what a field set is, whatever the object's prototype says. */
const ownEntries = (value: unknown): [string, unknown][] => {
  expect(value, 'an object').toBeTypeOf('object');
  expect(Object.getPrototypeOf(value), 'an ordinary object, its prototype untouched').toBe(Object.prototype);
  return Object.entries(value as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
};

const texts = named((name) => `value of ${name}`);

const ROOT = resolve(import.meta.dirname, '../..');

/** The CLI over stdio: the arguments cross a real JSON boundary both ways. */
async function stdioSession(t: TargetInfo): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--conditions=source',
      join(ROOT, 'packages/mcp-server/src/cli.ts'),
      '--url',
      t.url,
      ...(t.cluster ? ['--cluster-mode'] : []),
      '--profile',
      'full',
      '--default-ttl',
      '120',
    ],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'rak-field-names', version: '1' });
  await client.connect(transport);
  return mcpSession(client, () => client.close());
}

for (const t of targets()) {
  describe(`${t.name}: field names like __proto__ through the MCP server`, () => {
    let client: RedisClient;
    let s: McpSession;
    const base = `{rak:mcp-n:${randomBytes(4).toString('hex')}}`;
    const keys: string[] = [];
    const key = (name: string) => {
      keys.push(`${base}:${name}`);
      return `${base}:${name}`;
    };

    beforeAll(async () => {
      client = await clientFor(t);
      s = await inProcessSession(t, ['--profile', 'full', '--default-ttl', '120']);
    });
    afterAll(async () => {
      await s.close();
      for (const name of keys) await client.unlink(name);
    });

    it('hash set stores every field, and get (named or a page) answers every field', async () => {
      const hash = key('hash');
      expect((await s.ok('hash', { op: 'set', key: hash, fields: texts })).changed).toBe(NAMES.length);
      expect(ownEntries(await client.hgetall(hash))).toEqual(ownEntries(texts));
      const byName = await s.ok('hash', { op: 'get', key: hash, names: [...NAMES] });
      expect(ownEntries(byName.fields)).toEqual(ownEntries(texts));
      const page = await s.ok('hash', { op: 'get', key: hash, count: 100 });
      expect(ownEntries(page.fields)).toEqual(ownEntries(texts));

      const counters = key('counters');
      const increments = named((name) => String(NAMES.indexOf(name as (typeof NAMES)[number]) + 1));
      const added = await s.ok('hash', { op: 'incr', key: counters, fields: increments });
      expect(ownEntries(added.fields)).toEqual(ownEntries(increments));
      expect(ownEntries(await client.hgetall(counters))).toEqual(ownEntries(increments));
    });

    it('a hash field named __proto__ written by another client is answered as a field', async () => {
      const hash = key('foreign');
      await client.hset(hash, '__proto__', '{"polluted":true}', 'constructor', 'c');
      const got = await s.ok('hash', { op: 'get', key: hash, count: 100 });
      expect(ownEntries(got.fields)).toEqual([
        ['__proto__', '{"polluted":true}'],
        ['constructor', 'c'],
      ]);
    });

    it('stream add stores every field in order, and range and group_read answer every field', async () => {
      const stream = key('stream');
      await s.ok('stream', { op: 'group_create', key: stream, group: 'g', id: '0' });
      await s.ok('stream', { op: 'add', key: stream, fields: texts });
      const [[, flat] = ['', []]] = await client.xrange(stream, '-', '+');
      expect(flat).toEqual(NAMES.flatMap((name) => [name, texts[name]]));
      const range = (await s.ok('stream', { op: 'range', key: stream })).entries as { fields: unknown }[];
      expect(ownEntries(range[0]?.fields)).toEqual(ownEntries(texts));
      const read = (await s.ok('stream', { op: 'group_read', key: stream, group: 'g', consumer: 'c' })).entries as {
        fields: unknown;
      }[];
      expect(ownEntries(read[0]?.fields)).toEqual(ownEntries(texts));
    });

    it('session data keeps every field through create, get and a merging update', async () => {
      const data = named((name) => ({ of: name }));
      const created = await s.ok('session', { op: 'create', data, ttl: 120 });
      const id = created.id as string;
      keys.push(`mcp:session:${id}`);
      const got = (await s.ok('session', { op: 'get', id })).session as { data: unknown };
      expect(ownEntries(got.data)).toEqual(ownEntries(data));
      const stored = `mcp:session:${id}`;
      if ((await client.type(stored)) === 'hash') {
        expect(await client.hget(stored, '__proto__')).toBe('{"of":"__proto__"}');
      }

      await s.ok('session', { op: 'update', id, data: Object.fromEntries([['__proto__', 'replaced']]) });
      const updated = (await s.ok('session', { op: 'get', id })).session as { data: Record<string, unknown> };
      expect(ownEntries(updated.data)).toEqual(
        ownEntries({ ...data, ...Object.fromEntries([['__proto__', 'replaced']]) }),
      );
    });

    it('a cache value and a job payload keep every member', async () => {
      const namespace = `${base}:cache`;
      keys.push(`${namespace}:v`);
      await s.ok('cache', { op: 'set', namespace, key: 'v', value: texts, ttl: 120 });
      expect(ownEntries((await s.ok('cache', { op: 'get', namespace, key: 'v' })).value)).toEqual(ownEntries(texts));

      const prefix = `rak-mcp-n-${randomBytes(4).toString('hex')}`;
      const queue = 'jobs';
      // The partition's keys (packages/patterns/src/queue/keys.ts): permanent by design, so removed here.
      const partition = `${prefix}:{${queue}:0}`;
      keys.push(...['jobs', 'jobs:high', 'delayed', 'delayed-jobs', 'dead'].map((name) => `${partition}:${name}`));
      await s.ok('queue', { op: 'add', queue, prefix, partitions: 1, payload: texts });
      const [[, flat] = ['', []]] = await client.xrange(`${partition}:jobs`, '-', '+');
      const payload = flat[flat.indexOf('p') + 1] as string;
      expect(ownEntries(JSON.parse(payload))).toEqual(ownEntries(texts));
    });

    it('vector attributes keep every name; a filter on __proto__ is refused, never dropped', async (ctx) => {
      if (!t.capabilities.vectorSets) return ctx.skip('capability missing: vector sets (VADD)');
      const index = `rak_mcp_n_${randomBytes(4).toString('hex')}`;
      keys.push(`vector:${index}:vset`);
      const attrs = named((name) => `attribute ${name}`);
      await s.ok('vector', { op: 'upsert', index, docs: [{ id: 'a', text: 'a brass lamp', attrs }], ttl: 120 });
      const stored = (await client.call('VGETATTR', `vector:${index}:vset`, 'a')) as string;
      expect(ownEntries(JSON.parse(stored))).toEqual(ownEntries(attrs));
      const hits = (await s.ok('vector', { op: 'search', index, text: 'lamp' })).hits as { attributes: unknown }[];
      expect(ownEntries(hits[0]?.attributes)).toEqual(ownEntries(attrs));
      for (const filter of [{ equals: { ['__proto__']: 'x' } }, { ranges: { ['__proto__']: { min: 1 } } }]) {
        expect(await s.fails('vector', { op: 'search', index, text: 'lamp', filter })).toMatch(/__proto__/);
      }
    });

    it('a JSON document keeps every member', async (ctx) => {
      if (!t.capabilities.json) return ctx.skip('capability missing: JSON (JSON.SET)');
      const doc = key('json');
      await s.ok('json', { op: 'set', key: doc, value: JSON.stringify(texts), ttl: 120 });
      expect(ownEntries(JSON.parse((await client.call('JSON.GET', doc)) as string))).toEqual(ownEntries(texts));
      // Path `$` (the default) answers the array of matches: one document here.
      const [value] = (await s.ok('json', { op: 'get', key: doc })).value as unknown[];
      expect(ownEntries(value)).toEqual(ownEntries(texts));
    });

    it('over stdio (JSON both ways) hash set and get keep a field named __proto__', async () => {
      const stdio = await stdioSession(t);
      try {
        const hash = key('stdio');
        expect((await stdio.ok('hash', { op: 'set', key: hash, fields: texts })).changed).toBe(NAMES.length);
        expect(ownEntries(await client.hgetall(hash))).toEqual(ownEntries(texts));
        expect(ownEntries((await stdio.ok('hash', { op: 'get', key: hash, count: 100 })).fields)).toEqual(
          ownEntries(texts),
        );
      } finally {
        await stdio.close();
      }
    });
  });
}
