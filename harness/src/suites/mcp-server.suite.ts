/**
 * The MCP server on every target, through a real MCP client (in-memory transport; stdio and HTTP are covered in
 * harness/test/mcp-server-*.test.ts): every tool op once with its output checked against the listed output
 * schema (the pattern-backed groups included), bad inputs answered with error results, read-only mode, the command
 * guard, pub/sub while waiting, and the memory tools (mcp-memory-checks.ts).
 */
import assert from 'node:assert/strict';
import { assertCommandAllowed, parseConfig, resolveGroups, startRedisMcp } from '@redis-agent-kit/mcp-server';
import { defineSuite } from '../matrix/suite.ts';
import type { TargetInfo } from '../targets/types.ts';
import { memoryToolChecks } from './mcp-memory-checks.ts';
import { inProcessSession, type McpSession } from './mcp-session.ts';

export { inProcessSession, type McpSession, mcpSession } from './mcp-session.ts';

/**
 * A TTL in seconds read back some round trips after it was set: Redis rounds the remaining time, so under load it
 * reads one or more seconds less than was set. Asserting the exact number would depend on elapsed time.
 */
function assertTtlWithin(ttl: unknown, setSeconds: number): void {
  assert.ok(typeof ttl === 'number' && ttl > 0 && ttl <= setSeconds, `TTL ${String(ttl)}, set to ${setSeconds}`);
}

/** Calls every op of every data tool once on keys under `base` (one hash tag, so one cluster slot). */
/**
 * Every page of a `keys scan` until its cursor runs out (at most 1000 pages): one page with COUNT n holds only the
 * matches among the next n or so keys of the whole keyspace, which other tests share.
 */
export async function scanAll(s: McpSession, args: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const pages: Record<string, unknown>[] = [];
  let cursor: string | undefined = '0';
  for (let page = 0; cursor !== undefined && page < 1000; page++) {
    const result = await s.ok('keys', { op: 'scan', count: 100, ...args, cursor });
    pages.push(result);
    cursor = result.cursor as string | undefined;
  }
  assert.equal(cursor, undefined, 'the scan finished');
  return pages;
}

export async function exerciseEveryTool(s: McpSession, base: string, hasFieldTtl: boolean, cluster: boolean) {
  const k = (name: string) => `${base}:${name}`;
  // The tool reads the TTL back after the write, so under load it may already read 59: a range, not 60.
  const { ttl, ...written } = await s.ok('string', { op: 'set', key: k('s'), value: 'v', ttl: 60 });
  assert.deepEqual(written, { value: 'v', written: true });
  assertTtlWithin(ttl, 60);
  assert.equal((await s.ok('string', { op: 'get', key: k('s') })).value, 'v');
  assert.equal((await s.ok('string', { op: 'incr', key: k('n'), value: '5' })).value, '5');

  await s.ok('hash', { op: 'set', key: k('h'), fields: { a: '1', b: '2' } });
  assert.deepEqual((await s.ok('hash', { op: 'get', key: k('h'), names: ['a', 'zz'] })).fields, { a: '1', zz: null });
  assert.deepEqual((await s.ok('hash', { op: 'get', key: k('h') })).fields, { a: '1', b: '2' });
  assert.deepEqual((await s.ok('hash', { op: 'incr', key: k('h'), fields: { a: '2' } })).fields, { a: '3' });
  if (hasFieldTtl) {
    assert.equal((await s.ok('hash', { op: 'expire', key: k('h'), names: ['a'], ttl: 30 })).changed, 1);
    const ttls = (await s.ok('hash', { op: 'ttl', key: k('h'), names: ['a', 'b'] })).ttls as Record<string, number>;
    assert.ok(ttls.a && ttls.a > 0 && ttls.b === -1, JSON.stringify(ttls));
  } else {
    assert.match(
      await s.fails('hash', { op: 'expire', key: k('h'), names: ['a'], ttl: 30 }),
      /hash field TTL \(HEXPIRE\)/,
    );
  }
  assert.equal((await s.ok('hash', { op: 'del', key: k('h'), names: ['b'] })).changed, 1);

  assert.equal((await s.ok('list', { op: 'push', key: k('l'), values: ['a', 'b', 'c'] })).length, 3);
  assert.deepEqual((await s.ok('list', { op: 'range', key: k('l'), start: -2 })).items, ['b', 'c']);
  assert.deepEqual((await s.ok('list', { op: 'pop', key: k('l'), left: true, count: 1 })).items, ['a']);

  await s.ok('set', { op: 'add', key: k('a'), members: ['x', 'y'] });
  await s.ok('set', { op: 'add', key: k('b'), members: ['y', 'z'] });
  assert.deepEqual((await s.ok('set', { op: 'members', key: k('a') })).size, 2);
  assert.deepEqual((await s.ok('set', { op: 'has', key: k('a'), members: ['x', 'z'] })).has, [true, false]);
  assert.deepEqual((await s.ok('set', { op: 'inter', key: k('a'), keys: [k('b')] })).members, ['y']);
  assert.deepEqual((await s.ok('set', { op: 'diff', key: k('a'), keys: [k('b')] })).members, ['x']);
  assert.equal((await s.ok('set', { op: 'union', key: k('a'), keys: [k('b')] })).size, 3);
  assert.equal((await s.ok('set', { op: 'rem', key: k('b'), members: ['z'] })).changed, 1);

  const entries = [
    { member: 'm1', score: 1 },
    { member: 'm2', score: 2 },
  ];
  assert.equal((await s.ok('zset', { op: 'add', key: k('z'), entries })).changed, 2);
  assert.deepEqual((await s.ok('zset', { op: 'range', key: k('z'), rev: true })).entries, [...entries].reverse());
  assert.deepEqual((await s.ok('zset', { op: 'range', key: k('z'), min: '(1', max: '+inf' })).entries, [entries[1]]);
  assert.deepEqual((await s.ok('zset', { op: 'score', key: k('z'), members: ['m2'] })).entries, [
    { member: 'm2', score: 2, rank: 1 },
  ]);
  assert.deepEqual((await s.ok('zset', { op: 'incr', key: k('z'), entries: [{ member: 'm1', score: 5 }] })).entries, [
    { member: 'm1', score: 6 },
  ]);
  assert.equal((await s.ok('zset', { op: 'rem', key: k('z'), members: ['m1'] })).changed, 1);

  await s.ok('stream', { op: 'group_create', key: k('x'), group: 'g', id: '0' });
  const { id } = await s.ok('stream', { op: 'add', key: k('x'), fields: { e: '1' }, maxlen: 1000 });
  assert.equal(((await s.ok('stream', { op: 'range', key: k('x') })).entries as unknown[]).length, 1);
  const read = await s.ok('stream', { op: 'group_read', key: k('x'), group: 'g', consumer: 'c1' });
  assert.deepEqual(read.entries, [{ id, fields: { e: '1' } }]);
  const pending = (await s.ok('stream', { op: 'pending', key: k('x'), group: 'g' })).info as { pending: unknown[] };
  assert.equal(pending.pending.length, 1);
  assert.equal((await s.ok('stream', { op: 'ack', key: k('x'), group: 'g', ids: [id] })).changed, 1);
  assert.equal(((await s.ok('stream', { op: 'info', key: k('x') })).info as { length: number }).length, 1);

  const session = await s.ok('session', { op: 'create', data: { user: 'u1', n: 1 }, ttl: 120 });
  const sid = session.id as string;
  try {
    await s.ok('session', { op: 'update', id: sid, data: { n: 2 } });
    const got = await s.ok('session', { op: 'get', id: sid });
    assert.deepEqual((got.session as { data: unknown }).data, { user: 'u1', n: 2 });
    assertTtlWithin(got.ttl, 120);
    await s.ok('session', { op: 'update', id: sid, data: { only: true }, replace: true });
    const replaced = (await s.ok('session', { op: 'get', id: sid })).session as { data: unknown };
    assert.deepEqual(replaced.data, { only: true });
    assert.equal((await s.ok('session', { op: 'extend', id: sid, ttl: 300 })).ttl, 300);
  } finally {
    // The session's key (mcp:session:<random id>) does not carry the check's prefix: removed here even on failure.
    assert.equal((await s.ok('session', { op: 'delete', id: sid })).found, true);
  }
  assert.equal((await s.ok('session', { op: 'get', id: sid })).found, false);
  assert.equal((await s.ok('session', { op: 'update', id: sid, data: {} })).found, false);

  assert.ok((await scanAll(s, { pattern: `${base}:*` })).some((page) => (page.keys as string[]).includes(k('s'))));
  const info = (await s.ok('keys', { op: 'info', keys: [k('s'), k('missing')] })).info as {
    key: string;
    type: string;
    ttl: number;
  }[];
  assert.deepEqual(
    info.map(({ key, type }) => ({ key, type })),
    [
      { key: k('s'), type: 'string' },
      { key: k('missing'), type: 'none' },
    ],
  );
  assertTtlWithin(info[0]?.ttl, 60);
  assert.equal(info[1]?.ttl, -2);
  assert.equal((await s.ok('keys', { op: 'persist', keys: [k('s')] })).changed, 1);
  assert.equal((await s.ok('keys', { op: 'expire', keys: [k('s')], ttl: 60 })).changed, 1);

  assert.equal((await s.ok('pubsub', { op: 'publish', channel: `${base}:ch`, message: 'm' })).receivers, 0);
  assert.deepEqual(await s.ok('pubsub', { op: 'subscribe', channel: `${base}:ch`, waitMs: 50 }), {
    messages: [],
    timedOut: true,
  });

  for (const op of ['info', 'dbsize', 'slowlog', 'clients']) await s.ok('server', { op });
  assert.ok(((await s.ok('server', { op: 'memory', key: k('s') })).total as number) > 0);
  if (cluster) {
    assert.equal((await s.ok('server', { op: 'cluster' })).total, 16384);
  } else {
    assert.match(await s.fails('server', { op: 'cluster' }), /not a cluster/);
  }
  assert.match((await s.ok('docs', { command: 'xreadgroup' })).syntax as string, /^XREADGROUP GROUP group consumer/);
  assert.ok(((await s.ok('docs', { pattern: 'z*' })).names as string[]).includes('zadd'));

  assert.equal((await s.ok('keys', { op: 'del', keys: ['s', 'n', 'h', 'l', 'a', 'b', 'z', 'x'].map(k) })).changed, 8);
}

/**
 * Calls every op of the pattern-backed tools (cache, ratelimit, audit, vector) once, under `prefix`, and the bad
 * inputs each should refuse. The vector tool needs vector sets (or search with JSON): elsewhere it answers with
 * an error naming vector sets.
 */
export async function exercisePatternTools(s: McpSession, prefix: string, target: TargetInfo): Promise<string[]> {
  const cleanup: string[] = [];
  const namespace = `${prefix}:cache`;
  assert.deepEqual(await s.ok('cache', { op: 'get', namespace, key: 'p1' }), { found: false });
  const product = { name: 'lamp', price: 12.5, tags: ['home'] };
  assert.deepEqual(await s.ok('cache', { op: 'set', namespace, key: 'p1', value: product, ttl: 60 }), {
    found: true,
    value: product,
  });
  assert.deepEqual(await s.ok('cache', { op: 'get', namespace, key: 'p1' }), { found: true, value: product });
  await s.ok('cache', { op: 'set', namespace, key: 'p1', value: 'replaced', ttl: 60 });
  assert.equal((await s.ok('cache', { op: 'get', namespace, key: 'p1' })).value, 'replaced');
  assert.deepEqual(await s.ok('cache', { op: 'has', namespace, key: 'p1' }), { found: true });
  assert.deepEqual(await s.ok('cache', { op: 'delete', namespace, key: 'p1' }), { deleted: 1 });
  assert.deepEqual(await s.ok('cache', { op: 'get', namespace, key: 'p1' }), { found: false });
  assert.deepEqual(await s.ok('cache', { op: 'has', namespace, key: 'p1' }), { found: false });
  const stats = (await s.ok('cache', { op: 'stats', namespace })).stats as Record<string, number>;
  assert.equal(stats.hits, 2, JSON.stringify(stats));
  assert.equal(stats.redisErrors, 0);

  const policy = { op: 'check', policy: `${prefix}-p`, id: 'u1', limit: 2, window: 60 };
  const first = await s.ok('ratelimit', { ...policy, algorithm: 'gcra' });
  assert.equal(first.allowed, true);
  assert.equal(first.remaining, 1);
  assert.equal((await s.ok('ratelimit', { ...policy, algorithm: 'gcra' })).allowed, true);
  const denied = await s.ok('ratelimit', { ...policy, algorithm: 'gcra' });
  assert.equal(denied.allowed, false);
  assert.ok((denied.retryAfterMs as number) > 0, JSON.stringify(denied));
  const peeked = await s.ok('ratelimit', { ...policy, op: 'peek', algorithm: 'gcra' });
  assert.equal(peeked.remaining, 0);
  assert.ok((peeked.retryAfterMs as number) > 0 && !('allowed' in peeked), JSON.stringify(peeked));
  assert.equal((await s.ok('ratelimit', { ...policy, cost: 2 })).remaining, 0, 'default algorithm, own keys');

  const audit = await s.ok('audit', { match: `${namespace}:*`, sample: 50, depth: 2, top: 3 });
  assert.equal(typeof (audit.totals as { dbsize: unknown }).dbsize, 'number');
  assert.ok(Array.isArray(audit.findings));

  const index = `${prefix.replace(/\W/g, '_')}_docs`;
  if (!target.capabilities.vectorSets && !target.capabilities.search) {
    assert.match(await s.fails('vector', { op: 'ensure', index }), /vector sets \(VADD\)/);
    assert.match(await s.fails('vector', { op: 'search', index, text: 'lamp' }), /vector sets/);
    return cleanup;
  }
  cleanup.push(`vector:${index}:vset`);
  assert.deepEqual(await s.ok('vector', { op: 'ensure', index }), {});
  const docs = [
    { id: 'a', text: 'a brass desk lamp with a warm light', attrs: { kind: 'lamp', price: 30 } },
    { id: 'b', text: 'a wooden chair for the kitchen', attrs: { kind: 'chair', price: 50 } },
    { id: 'c', text: 'a floor lamp with a linen shade', attrs: { kind: 'lamp', price: 80 } },
  ];
  assert.equal((await s.ok('vector', { op: 'upsert', index, docs })).count, 3);
  const hits = (await s.ok('vector', { op: 'search', index, text: 'desk lamp', k: 2 })).hits as { id: string }[];
  assert.equal(hits[0]?.id, 'a', JSON.stringify(hits));
  const cheap = await s.ok('vector', {
    op: 'search',
    index,
    text: 'lamp',
    filter: { equals: { kind: 'lamp' }, ranges: { price: { min: 50 } } },
  });
  assert.deepEqual(
    (cheap.hits as { id: string }[]).map((h) => h.id),
    ['c'],
  );
  assert.equal(((await s.ok('vector', { op: 'info', index })).info as { count: number }).count, 3);
  assert.equal((await s.ok('vector', { op: 'delete', index, ids: ['b', 'zz'] })).count, 1);
  return cleanup;
}

export default defineSuite({
  id: 'mcp-server',
  title: 'Redis MCP server: every tool through a real MCP client',
  checks: [
    {
      name: 'every tool op answers with output matching its schema',
      async run({ target, prefix, note }) {
        const s = await inProcessSession(target, ['--profile', 'full']);
        try {
          const names = s.tools.map((t) => t.name);
          assert.equal(names.includes('json'), target.capabilities.json, 'json tool registered only with JSON');
          note(`${names.length} tools`);
          await exerciseEveryTool(s, `{${prefix}}`, target.capabilities.hashFieldTtl, target.cluster);
        } finally {
          await s.close();
        }
      },
    },
    {
      name: 'pattern-backed tools (cache, ratelimit, audit, vector) answer with output matching their schema',
      async run({ target, prefix, client, note }) {
        const s = await inProcessSession(target, ['--profile', 'full']);
        const cleanup: string[] = [];
        try {
          cleanup.push(...(await exercisePatternTools(s, prefix, target)));
          note(target.capabilities.vectorSets ? 'vector: vector sets' : 'vector: capability missing (named)');
        } finally {
          await s.close();
          for (const key of cleanup) await client.unlink(key);
        }
      },
    },
    {
      name: 'json tool: get, set, del',
      requires: ['json'],
      async run({ target, prefix }) {
        const s = await inProcessSession(target, ['--profile', 'full']);
        try {
          await s.ok('json', { op: 'set', key: `${prefix}:j`, value: '{"a":{"b":1}}', ttl: 60 });
          assert.deepEqual((await s.ok('json', { op: 'get', key: `${prefix}:j`, path: '$.a.b' })).value, [1]);
          assert.equal((await s.ok('json', { op: 'del', key: `${prefix}:j` })).changed, 1);
        } finally {
          await s.close();
        }
      },
    },
    {
      name: 'bad inputs give error results and the server keeps answering',
      async run({ target, prefix: base, client }) {
        const prefix = `{${base}}`;
        const s = await inProcessSession(target, ['--profile', 'full', '--max-value-bytes', '1000']);
        try {
          await client.set(`${prefix}:str`, 'x', 'EX', 60);
          const bad: [string, Record<string, unknown>, RegExp][] = [
            ['string', { op: 'get', key: 42 }, /expected string/],
            ['string', { op: 'get' }, /key/],
            ['string', { op: 'nope', key: 'k' }, /op/],
            ['string', { op: 'get', key: 'k', extra: 1 }, /Unrecognized key/i],
            ['string', { op: 'set', key: `${prefix}:big`, value: 'x'.repeat(1001) }, /exceeds the 1000-byte limit/],
            ['string', { op: 'set', key: `${prefix}:t`, value: 'v', ttl: -1 }, />=0/],
            // Permanent data is ttl: 0; the old flag is an unknown argument, never silently ignored.
            ['string', { op: 'set', key: `${prefix}:t`, value: 'v', permanent: true }, /Unrecognized key/i],
            ['keys', { op: 'expire', keys: [`${prefix}:str`], ttl: 0 }, />=1/],
            // ttl: 0 is no TTL for a key a write creates; as a field's TTL it would delete the field, so it is refused.
            ['hash', { op: 'expire', key: `${prefix}:h0`, names: ['a'], ttl: 0 }, /at least 1 s|Redis 8/],
            ['list', { op: 'range', key: `${prefix}:l`, count: 1_000_000 }, /<=100/],
            ['keys', { op: 'scan', count: 10_000 }, /<=100/],
            ['hash', { op: 'get', key: `${prefix}:str` }, /WRONGTYPE: key "[^"]+" holds a string.*use the string tool/],
            ['zset', { op: 'add', key: `${prefix}:str`, entries: [{ member: 'a', score: 1 }] }, /WRONGTYPE/],
            ['stream', { op: 'group_read', key: `${prefix}:nos`, group: 'g', consumer: 'c' }, /NOGROUP|no such key/i],
            ['docs', { command: 'nosuchcommand' }, /unknown command/],
            ['pubsub', { op: 'subscribe', channel: 'c', waitMs: 3_600_000 }, /<=10000/],
            ['nosuchtool', {}, /not found/],
            ['cache', { op: 'set', key: `${prefix}:k`, value: 'x'.repeat(1001) }, /over the 1000-byte limit/],
            ['cache', { op: 'get' }, /get needs key/],
            ['cache', { op: 'set', key: `${prefix}:k`, value: 1, ttl: 0 }, />=1/],
            [
              'ratelimit',
              { op: 'check', policy: 'p', id: 'u', limit: 2, window: 60, cost: 3 },
              /cost must be a whole number from 1 to the limit \(2\)/,
            ],
            ['ratelimit', { op: 'check', policy: 'p', id: 'u', limit: 2, window: 60, algorithm: 'leaky' }, /algorithm/],
            ['ratelimit', { op: 'peek', policy: 'p', id: 'u' }, /limit/],
            ['audit', { sample: 1_000_000 }, /<=100000/],
            ['vector', { op: 'search', index: 'i', text: 't', k: 1000 }, /<=100/],
            ['vector', { op: 'search', index: 'i' }, /search needs text|vector sets/],
            ['vector', { op: 'upsert', index: 'i', docs: [] }, /upsert needs docs|vector sets/],
          ];
          for (const [tool, args, expected] of bad)
            assert.match(await s.fails(tool, args), expected, `${tool} ${JSON.stringify(args)}`);
          assert.equal(await client.exists(`${prefix}:big`, `${prefix}:t`), 0, 'refused writes stored nothing');
          assert.equal((await s.ok('string', { op: 'get', key: `${prefix}:str` })).value, 'x', 'still answering');
        } finally {
          await s.close();
        }
      },
    },
    {
      name: 'writes get the default TTL, or are refused when it is 0; permanent is explicit (ttl: 0)',
      async run({ target, prefix: base, client }) {
        const prefix = `{${base}}`;
        const s = await inProcessSession(target, ['--profile', 'full', '--default-ttl', '0']);
        try {
          assert.match(
            await s.fails('hash', { op: 'set', key: `${prefix}:h`, fields: { a: '1' } }),
            /writes need a TTL/,
          );
          await s.ok('hash', { op: 'set', key: `${prefix}:h`, fields: { a: '1' }, ttl: 0 });
          assert.equal(await client.ttl(`${prefix}:h`), -1);
        } finally {
          await s.close();
        }
        const d = await inProcessSession(target, ['--profile', 'full', '--default-ttl', '120']);
        try {
          await d.ok('list', { op: 'push', key: `${prefix}:l`, values: ['a'] });
          const ttl = await client.ttl(`${prefix}:l`);
          assert.ok(ttl > 0 && ttl <= 120, `default TTL applied: ${ttl}`);
          await client.expire(`${prefix}:l`, 30);
          await d.ok('list', { op: 'push', key: `${prefix}:l`, values: ['b'] });
          assert.ok((await client.ttl(`${prefix}:l`)) <= 30, 'a write keeps the TTL an existing key has');
        } finally {
          await d.close();
          await client.unlink(`${prefix}:h`, `${prefix}:l`);
        }
      },
    },
    {
      name: 'scan pages through every key once the cursor runs out, across cluster masters',
      async run({ target, prefix, client }) {
        // No hash tag: on a cluster the keys spread over the masters, so the cursor must walk node by node.
        const keys = Array.from({ length: 40 }, (_, i) => `${prefix}:scan:${i}`);
        for (const key of keys) await client.set(key, '1', 'EX', 60);
        const s = await inProcessSession(target, ['--tools', 'keys']);
        try {
          const pages = await scanAll(s, { pattern: `${prefix}:scan:*`, count: 5 });
          const seen = new Set(pages.flatMap((page) => page.keys as string[]));
          assert.deepEqual([...seen].sort(), [...keys].sort());
        } finally {
          await s.close();
          for (const key of keys) await client.unlink(key);
        }
      },
    },
    {
      name: 'keys info, expire, persist and del take keys of different slots (each sent to its node)',
      async run({ target, prefix, client }) {
        // No hash tag: on a cluster these land on different masters, where one pipeline would be refused.
        const keys = Array.from({ length: 12 }, (_, i) => `${prefix}:spread:${i}`);
        for (const key of keys) await client.set(key, '1', 'EX', 60);
        const s = await inProcessSession(target, ['--tools', 'keys']);
        try {
          const info = (await s.ok('keys', { op: 'info', keys })).info as { key: string; type: string }[];
          assert.deepEqual(
            info.map((row) => [row.key, row.type]),
            keys.map((key) => [key, 'string']),
          );
          assert.equal((await s.ok('keys', { op: 'persist', keys })).changed, keys.length);
          assert.equal((await s.ok('keys', { op: 'expire', keys, ttl: 60 })).changed, keys.length);
          assert.equal(
            (await s.ok('keys', { op: 'del', keys: [...keys, `${prefix}:spread:missing`] })).changed,
            keys.length,
          );
          assert.equal(await client.exists(...keys.slice(0, 1)), 0);
        } finally {
          await s.close();
          for (const key of keys) await client.unlink(key);
        }
      },
    },
    {
      name: 'read-only mode registers no write op and no write argument',
      async run({ target, prefix }) {
        const s = await inProcessSession(target, ['--profile', 'full', '--read-only']);
        try {
          for (const tool of s.tools) {
            assert.equal(tool.annotations?.readOnlyHint, true, `${tool.name} is read-only`);
            const props = Object.keys((tool.inputSchema.properties ?? {}) as object);
            for (const arg of ['value', 'fields', 'ttl', 'entries', 'message', 'data', 'docs']) {
              assert.ok(!props.includes(arg), `${tool.name} has no ${arg}`);
            }
          }
          assert.match(await s.fails('string', { op: 'set', key: 'k', value: 'v' }), /op/);
          const ratelimit = s.tools.find((t) => t.name === 'ratelimit');
          const rlInput = ratelimit?.inputSchema as { properties: { op?: { enum?: string[] } }; required?: string[] };
          assert.deepEqual(rlInput.properties.op?.enum, ['peek'], 'ratelimit: peek, its one read op, still an op');
          assert.ok(!rlInput.required?.includes('op'), 'with one op left, op may be omitted');
          const state = { remaining: 3, resetMs: 0, retryAfterMs: 0 };
          const peek = { policy: `${prefix}-ro`, id: 'u', limit: 3, window: 60 };
          assert.deepEqual(await s.ok('ratelimit', peek), state, 'ratelimit in read-only mode peeks');
          assert.deepEqual(await s.ok('ratelimit', { op: 'peek', ...peek }), state, 'the same arguments as full mode');
          assert.deepEqual(await s.ok('session', { op: 'get', id: 'nosuch' }), { id: 'nosuch', found: false });
          assert.deepEqual(await s.ok('session', { id: 'nosuch' }), { id: 'nosuch', found: false });
          assert.match(await s.fails('cache', { op: 'set', key: 'k', value: 1 }), /op/);
          const vector = s.tools.find((t) => t.name === 'vector');
          assert.ok(!Object.keys(vector?.inputSchema.properties ?? {}).includes('ids'), 'vector has no ids');
          assert.ok(!s.tools.some((t) => t.name === 'session' && JSON.stringify(t).includes('"create"')));
        } finally {
          await s.close();
        }
      },
    },
    {
      name: 'subscribe returns messages published while it waits',
      async run({ target, prefix, client }) {
        const s = await inProcessSession(target, ['--tools', 'pubsub']);
        try {
          const channel = `${prefix}:events`;
          let done = false;
          const listening = s.ok('pubsub', { op: 'subscribe', channel, waitMs: 5000, count: 2 }).finally(() => {
            done = true;
          });
          // Publish until the call returns: the first messages may precede the subscription (and on a cluster
          // PUBLISH counts only the receiving node's subscribers, so its reply cannot tell when to start).
          for (let i = 0; !done && i < 200; i++) {
            await client.publish(channel, `m${i}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          const result = await listening;
          const messages = result.messages as { channel: string; message: string }[];
          assert.equal(messages.length, 2);
          const [a, b] = messages.map((m) => Number(m.message.slice(1))) as [number, number];
          assert.ok(messages.every((m) => m.channel === channel && /^m\d+$/.test(m.message)));
          // A cluster client sends each PUBLISH to any node and the bus forwards it, so only one node keeps order.
          if (target.cluster) assert.notEqual(a, b, 'two different messages');
          else assert.equal(b, a + 1, 'consecutive messages, in order');
          assert.equal(result.timedOut, false);
        } finally {
          await s.close();
        }
      },
    },
    {
      name: 'guarded client refuses blocked commands before sending them',
      async run({ target }) {
        for (const [command, args] of [
          ['KEYS', ['*']],
          ['FLUSHALL', []],
          ['FLUSHDB', []],
          ['SELECT', ['1']],
          ['CONFIG', ['SET', 'maxmemory', '1']],
          ['SHUTDOWN', []],
          ['DEBUG', ['SLEEP', '0']],
          ['MONITOR', []],
        ] as const) {
          assert.throws(() => assertCommandAllowed(command, args), /not allowed/);
        }
        const config = parseConfig(
          ['--url', target.url, ...(target.cluster ? ['--cluster-mode'] : [])],
          {},
          resolveGroups,
        );
        const app = await startRedisMcp(config);
        try {
          const redis = app.redis;
          await assert.rejects(async () => redis.keys('*'), /KEYS is not allowed/);
          await assert.rejects(async () => redis.call('flushall'), /FLUSHALL is not allowed/);
          await assert.rejects(async () => redis.config('SET', 'maxmemory', '1'), /CONFIG SET is not allowed/);
          await assert.rejects(async () => redis.pipeline().flushdb().exec(), /FLUSHDB is not allowed/);
          assert.ok(Array.isArray(await redis.config('GET', 'maxmemory')), 'CONFIG GET still works');
        } finally {
          await app.close();
        }
      },
    },
    ...memoryToolChecks,
  ],
});
