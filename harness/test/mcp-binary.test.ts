/**
 * Keys and values that are not UTF-8 go through the MCP server unaltered, on every target: an answer with such
 * bytes carries every byte string as base64 and says `encoding: "base64"`, a call says the same to send them, and a
 * lone UTF-16 surrogate (which has no UTF-8 bytes) is refused rather than stored as U+FFFD, so two keys never alias.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessSession, type McpSession, scanAll } from '../src/suites/mcp-server.suite.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

const b64 = (bytes: Buffer) => bytes.toString('base64');

for (const t of targets()) {
  describe(`${t.name}: binary keys and values through the MCP server`, () => {
    let client: RedisClient;
    let s: McpSession;
    const base = `{rak:mcp-b:${randomBytes(4).toString('hex')}}`;
    // `ff fe` inside the key, after a text prefix so a MATCH pattern finds it.
    const binaryKey = Buffer.concat([Buffer.from(`${base}:bin:`), Buffer.from([0xff, 0xfe])]);
    const binaryValue = Buffer.from([0xc3, 0x28, 0x00, 0xff, 0x80]);

    beforeAll(async () => {
      client = await clientFor(t);
      s = await inProcessSession(t, ['--profile', 'full']);
    });
    afterAll(async () => {
      await s.close();
      await client.unlink(binaryKey, `${base}:text`, `${base}:hash`, `${base}:sent`, `${base}:stream`, `${base}:mem`);
    });

    it('keys scan, info, string get and del reach a key with bytes ff fe, and its value comes back whole', async () => {
      await client.set(binaryKey, binaryValue, 'EX', 300);
      await client.set(`${base}:text`, 'plain', 'EX', 300);
      const pages = (await scanAll(s, { pattern: `${base}:*` })).filter((page) => (page.keys as string[]).length > 0);
      // A page is base64 as a whole when any of its names is not UTF-8; a page of text names stays text.
      const keys = pages.flatMap((page) =>
        (page.keys as string[]).map((key) => Buffer.from(key, page.encoding === 'base64' ? 'base64' : 'utf8')),
      );
      expect(keys.some((key) => key.equals(binaryKey))).toBe(true);
      expect(keys.some((key) => key.equals(Buffer.from(`${base}:text`)))).toBe(true);

      const info = await s.ok('keys', { op: 'info', keys: [b64(binaryKey)], encoding: 'base64' });
      expect((info.info as { type: string }[])[0]?.type).toBe('string');
      const got = await s.ok('string', { op: 'get', key: b64(binaryKey), encoding: 'base64' });
      expect(got.encoding).toBe('base64');
      expect(Buffer.from(got.value as string, 'base64').equals(binaryValue)).toBe(true);
      expect((await s.ok('keys', { op: 'del', keys: [b64(binaryKey)], encoding: 'base64' })).changed).toBe(1);
      expect(await client.exists(binaryKey)).toBe(0);
    });

    it('a text answer stays text, and a value sent as base64 is stored as those bytes', async () => {
      await s.ok('string', {
        op: 'set',
        key: b64(Buffer.from(`${base}:sent`)),
        value: b64(binaryValue),
        encoding: 'base64',
        ttl: 60,
      });
      expect((await client.getBuffer(`${base}:sent`))?.equals(binaryValue)).toBe(true);
      expect(await s.ok('string', { op: 'get', key: `${base}:text` })).not.toHaveProperty('encoding');
      await client.hset(`${base}:hash`, Buffer.from([0xfe]), binaryValue);
      await client.expire(`${base}:hash`, 60);
      const fields = await s.ok('hash', { op: 'get', key: `${base}:hash` });
      expect(fields.encoding).toBe('base64');
      expect(fields.fields).toEqual({ [b64(Buffer.from([0xfe]))]: b64(binaryValue) });
    });

    it('stream group and consumer names are bytes: created, read, listed and acked as base64', async () => {
      const stream = Buffer.from(`${base}:stream`);
      // Neither name is UTF-8: as text they could only be stored altered (or alias another group).
      const group = Buffer.from([0x67, 0xff, 0x00]);
      const consumer = Buffer.from([0xc3, 0x28]);
      const call = { key: b64(stream), group: b64(group), encoding: 'base64' };
      await s.ok('stream', { op: 'group_create', ...call, id: '0', ttl: 60 });
      const groups = (await client.callBuffer('XINFO', 'GROUPS', stream)) as Buffer[][];
      expect(groups.map((g) => g[1] as Buffer)).toEqual([group]);
      const { id } = await s.ok('stream', { op: 'add', key: `${base}:stream`, fields: { e: '1' } });
      const read = await s.ok('stream', { op: 'group_read', ...call, consumer: b64(consumer) });
      expect((read.entries as { id: string }[]).map((e) => e.id)).toEqual([id]);
      const consumers = (await client.callBuffer('XINFO', 'CONSUMERS', stream, group)) as Buffer[][];
      expect(consumers.map((c) => c[1] as Buffer)).toEqual([consumer]);

      const pending = await s.ok('stream', { op: 'pending', ...call });
      expect(pending.encoding).toBe('base64');
      const rows = (pending.info as { pending: { id: string; consumer: string }[] }).pending;
      expect(rows.map((row) => Buffer.from(row.consumer, 'base64'))).toEqual([consumer]);
      const info = await s.ok('stream', { op: 'info', key: b64(stream), encoding: 'base64' });
      expect(info.encoding).toBe('base64');
      const listed = (info.info as { groups: { name: string }[] }).groups;
      expect(listed.map((g) => Buffer.from(g.name, 'base64'))).toEqual([group]);
      // Stream ids are ASCII and stay text, as in every stream answer.
      expect(rows[0]?.id).toBe(id);

      expect((await s.ok('stream', { op: 'ack', ...call, ids: [id] })).changed).toBe(1);
      expect(await client.call('XPENDING', stream, group)).toEqual([0, null, null, null]);
    });

    it('server memory measures a key whose name is not UTF-8', async () => {
      const key = Buffer.concat([Buffer.from(`${base}:mem:`), Buffer.from([0xff])]);
      await client.set(key, 'x'.repeat(1000), 'EX', 60);
      const answer = await s.ok('server', { op: 'memory', key: b64(key), encoding: 'base64' });
      const [node] = answer.nodes as { key: string; bytes: number }[];
      expect(Buffer.from(node?.key ?? '', 'base64')).toEqual(key);
      expect(node?.bytes).toBeGreaterThan(1000);
      expect(answer.total).toBe(node?.bytes);
      // A text key still answers in text.
      await client.set(`${base}:mem`, 'y', 'EX', 60);
      const text = await s.ok('server', { op: 'memory', key: `${base}:mem` });
      expect(text).not.toHaveProperty('encoding');
      expect((text.nodes as { key: string }[])[0]?.key).toBe(`${base}:mem`);
      await client.unlink(key);
    });

    it('lone surrogates are refused, so \\ud800 and \\udfff never name the same key', async () => {
      for (const lone of ['\ud800', '\udfff']) {
        expect(await s.fails('string', { op: 'set', key: `${base}:${lone}`, value: 'x', ttl: 60 })).toMatch(
          /lone UTF-16 surrogate/,
        );
        expect(await s.fails('string', { op: 'set', key: `${base}:ok`, value: `v${lone}`, ttl: 60 })).toMatch(
          /lone UTF-16 surrogate/,
        );
        expect(await s.fails('ratelimit', { op: 'peek', policy: 'p', id: lone, limit: 1, window: 1 })).toMatch(
          /surrogate/,
        );
      }
      expect(await client.exists(`${base}:\ufffd`, `${base}:ok`)).toBe(0);
      expect(await s.fails('string', { op: 'get', key: 'not base64!', encoding: 'base64' })).toMatch(/not base64/);
    });
  });
}
