/**
 * Every answer, every read's server cost and every user-supplied string of the MCP server is bounded, on a real
 * server: a long string comes in parts with its full length, a too-large answer is refused with what to do, set
 * algebra and deep offsets over the read bound are refused before Redis does the work, names over the name bound
 * are refused before anything is stored, and listening calls past the cap are refused.
 */
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessSession, type McpSession } from '../src/suites/mcp-server.suite.ts';
import { clientFor, target } from '../src/vitest/index.ts';

const MB = 1024 * 1024;

/** The bytes the client received for one call: the structured content and its text copy. */
async function answerBytes(s: McpSession, name: string, args: Record<string, unknown>): Promise<number> {
  const result = (await s.client.callTool({ name, arguments: args })) as CallToolResult;
  return (
    Buffer.byteLength(JSON.stringify(result.structuredContent ?? {})) +
    Buffer.byteLength(JSON.stringify(result.content))
  );
}

describe('redis-8: MCP answers, reads and inputs are bounded', () => {
  const t = () => target('redis-8');
  let client: RedisClient;
  let s: McpSession;
  const base = `{rak:mcp-bound:${randomBytes(4).toString('hex')}}`;
  const k = (name: string) => `${base}:${name}`;

  beforeAll(async () => {
    client = await clientFor(t());
    s = await inProcessSession(t(), ['--profile', 'full', '--max-read-elements', '100', '--max-listeners', '2']);
  });
  afterAll(async () => {
    await s.close();
    await client.unlink(...['big', 'small', 'wide', 'a', 'b', 'c', 'list', 'z', 't'].map(k));
  });

  it('string get of a 3 MiB value answers within 1 MB, in parts that add up to the value', async () => {
    const value = randomBytes(3 * MB)
      .toString('hex')
      .slice(0, 3 * MB);
    await client.set(k('big'), value, 'EX', 300);
    expect(await answerBytes(s, 'string', { op: 'get', key: k('big') })).toBeLessThanOrEqual(MB);
    const parts: string[] = [];
    let start = 0;
    for (let round = 0; round < 20 && start < value.length; round++) {
      const part = await s.ok('string', { op: 'get', key: k('big'), start });
      expect(part.truncated).toBe(true);
      expect(part.length).toBe(3 * MB);
      parts.push(part.value as string);
      start += Buffer.byteLength(part.value as string);
    }
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.join('')).toBe(value);
    await client.set(k('small'), 'whole', 'EX', 300);
    expect(await s.ok('string', { op: 'get', key: k('small') })).toEqual({ value: 'whole', ttl: expect.any(Number) });
  });

  it('a page too large for the answer bound is refused with what to do', async () => {
    const fields = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'x'.repeat(50_000)]));
    await client.hset(k('wide'), fields);
    await client.expire(k('wide'), 300);
    const text = await s.fails('hash', { op: 'get', key: k('wide'), count: 30 });
    expect(text).toMatch(/over the 1048576-byte bound \(--max-answer-bytes\): ask for fewer items/);
    expect(
      Object.keys((await s.ok('hash', { op: 'get', key: k('wide'), names: ['f1', 'f2'] })).fields as object),
    ).toEqual(['f1', 'f2']);
  });

  it('the audit shows a 4 MiB key name cut, with its length', async () => {
    const long = `${base}:audit:${'n'.repeat(4 * MB)}`;
    await client.set(long, 'v');
    const size = await answerBytes(s, 'audit', { match: `${base}:audit:*`, sample: 10 });
    expect(size).toBeLessThan(MB);
    const report = JSON.stringify(await s.ok('audit', { match: `${base}:audit:*`, sample: 10 }));
    expect(report).toMatch(/\[cut: \d{7} bytes\]/);
    await client.unlink(long);
  });

  it('set algebra over the read bound is refused before Redis builds it', async () => {
    await client.sadd(k('a'), ...Array.from({ length: 60 }, (_, i) => `a${i}`));
    await client.sadd(k('b'), ...Array.from({ length: 60 }, (_, i) => `b${i}`));
    await client.sadd(k('c'), 'a1', 'c1');
    for (const op of ['union', 'inter', 'diff']) {
      expect(await s.fails('set', { op, key: k('a'), keys: [k('b')] })).toMatch(
        /would touch 120 members, over the read bound of 100/,
      );
    }
    expect((await s.ok('set', { op: 'inter', key: k('a'), keys: [k('c')] })).members).toEqual(['a1']);
  });

  it('ranges whose offset walks past the read bound are refused; near either end they answer', async () => {
    await client.rpush(k('list'), ...Array.from({ length: 500 }, (_, i) => `i${i}`));
    expect(await s.fails('list', { op: 'range', key: k('list'), start: 250 })).toMatch(/walks 249 of 500 elements/);
    expect((await s.ok('list', { op: 'range', key: k('list'), start: 50, count: 2 })).items).toEqual(['i50', 'i51']);
    expect((await s.ok('list', { op: 'range', key: k('list'), start: -2 })).items).toEqual(['i498', 'i499']);
    await client.zadd(k('z'), ...Array.from({ length: 300 }, (_, i) => [i, `m${i}`]).flat());
    expect(await s.fails('zset', { op: 'range', key: k('z'), min: '0', start: 200 })).toMatch(
      /over the read bound of 100/,
    );
    expect((await s.ok('zset', { op: 'range', key: k('z'), start: 200, count: 1 })).entries).toEqual([
      { member: 'm200', score: 200 },
    ]);
  });

  it('names over 1 KiB and values over the value bound are refused, and nothing is stored', async () => {
    const longName = 'n'.repeat(2000);
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      [
        'string',
        { op: 'set', key: k(longName), value: 'v', ttl: 60 },
        /key of 20\d\d bytes exceeds the 1024-byte limit/,
      ],
      ['hash', { op: 'incr', key: k('h'), fields: { [longName]: '1' }, ttl: 60 }, /field name of 2000 bytes/],
      [
        'zset',
        { op: 'incr', key: k('zi'), entries: [{ member: 'm'.repeat(200_000), score: 1 }], ttl: 60 },
        /exceeds the 102400-byte limit/,
      ],
      [
        'stream',
        { op: 'group_create', key: k('s'), group: longName, ttl: 60 },
        /group of 2000 bytes exceeds the 1024-byte limit/,
      ],
      ['ratelimit', { op: 'check', policy: 'p', id: longName, limit: 5, window: 60 }, /longer than 1024 bytes/],
      [
        'vector',
        { op: 'upsert', index: 'rak_bound', docs: [{ id: longName, text: 't' }], ttl: 60 },
        /longer than 1024 bytes/,
      ],
      ['keys', { op: 'info', keys: [k(longName)] }, /1024-byte limit/],
      ['stream', { op: 'range', key: k('s'), start: longName }, /longer than 1024 bytes/],
      ['zset', { op: 'range', key: k('z'), min: longName }, /longer than 1024 bytes/],
      [
        'vector',
        { op: 'search', index: 'rak_bound', text: 't', filter: { equals: { kind: longName } } },
        /longer than 1024 bytes/,
      ],
    ];
    for (const [tool, args, expected] of refusals) expect(await s.fails(tool, args), tool).toMatch(expected);
    expect(await client.exists(k(longName), k('h'), k('zi'), k('s'))).toBe(0);
    expect(await client.exists('vector:rak_bound:vset')).toBe(0);
  });

  it('ttl and other numbers out of range are refused (no 2^53-1 TTL stored)', async () => {
    expect(await s.fails('string', { op: 'set', key: k('t'), value: 'v', ttl: 2 ** 53 - 1 })).toMatch(/<=315360000/);
    expect(await s.fails('keys', { op: 'expire', keys: [k('t')], ttl: 2 ** 53 - 1 })).toMatch(/<=315360000/);
    expect(await client.exists(k('t'))).toBe(0);
  });

  it('listening calls past --max-listeners are refused while the others wait', async () => {
    const channel = k('events');
    const waiting = [1, 2].map(() => s.ok('pubsub', { op: 'subscribe', channel, waitMs: 5000, count: 1 }));
    // Both subscribers are listening once Redis counts them.
    for (let i = 0; i < 200; i++) {
      const [, n] = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      if (n === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await s.fails('pubsub', { op: 'subscribe', channel, waitMs: 10 })).toMatch(/--max-listeners 2/);
    await client.publish(channel, 'go');
    await Promise.all(waiting);
    expect((await s.ok('pubsub', { op: 'subscribe', channel, waitMs: 10 })).timedOut).toBe(true);
  });
});
