/**
 * The matrix against a server it did not start (a REDIS_TARGETS `url` target): a private local server stands in
 * for someone's production. Afterwards the server holds no key and no ACL user the run made, and a destructive
 * check ran only when allowed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixKeyPatterns, removeKeys } from '../src/matrix/shared-server.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

const CLI = join(import.meta.dirname, '../src/matrix/cli.ts');

let server: LocalServer;
let client: RedisClient;

beforeAll(async () => {
  server = await LocalServer.start({ kind: 'redis' });
  client = await connect({ url: server.url });
});

afterAll(async () => {
  await closeClient(client);
  await server.stop();
});

/** Every key on the server (a private one: SCAN to the end is cheap here). */
async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...page);
  } while (cursor !== '0');
  return keys.sort();
}

/** The lines of the terminal tables: from a `target`/`workflow` head line to the next blank line. */
function tableLines(output: string): string[] {
  const lines = output.split('\n');
  return lines.filter((_, i) => {
    const start = lines.slice(0, i + 1).findLastIndex((l) => /^(target|workflow) /.test(l));
    return start !== -1 && lines.slice(start, i + 1).every((l) => l.trim() !== '');
  });
}

function matrix(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--conditions=source', CLI, ...args], {
    env: { ...process.env, RAK_PROVIDER: 'url', REDIS_TARGETS: `prod=${server.url}`, RAK_TARGETS: '', COLUMNS: '70' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('the matrix on a REDIS_TARGETS server', () => {
  it('runs every workflow under any target name, skips the destructive check, and leaves no key behind', async () => {
    expect(await client.dbsize()).toBe(0);
    // A user's own keys, one of them close to the check prefixes: none may be touched.
    await client.set('app:user:1', 'kept');
    await client.set('rak:products-cache:not-hex:1', 'kept');
    const { code, output } = await matrix();
    expect(code, output).toBe(0);
    expect(output).toMatch(/\[targets\] prod +redis 8\.0\.\d/);
    // Only the destructive ACL check is skipped; how many checks the suite has grows with it.
    expect(output).toMatch(/^key-audit +pass \d+ skip 1$/m);
    expect(output).toMatch(
      /skipped: destructive: creates and deletes an ACL user; run on a REDIS_TARGETS server only with --allow-destructive — prod/,
    );
    expect(output).toMatch(/prod: removed \d+ key\(s\) the checks left/);
    expect(await allKeys()).toEqual(['app:user:1', 'rak:products-cache:not-hex:1']);
    expect(await client.call('ACL', 'USERS')).toEqual(['default']);
    expect(tableLines(output).length).toBeGreaterThan(9);
    for (const line of tableLines(output)) expect(line.length, line).toBeLessThanOrEqual(70);
  });

  it('runs the destructive check with --allow-destructive, and removes its ACL user', async () => {
    const { code, output } = await matrix('--only', 'key-audit', '--allow-destructive');
    expect(code, output).toBe(0);
    expect(output).toMatch(/^key-audit +pass \d+$/m);
    expect(await client.call('ACL', 'USERS')).toEqual(['default']);
    expect(await allKeys()).toEqual(['app:user:1', 'rak:products-cache:not-hex:1']);
  });
});

describe('the sweep', () => {
  it('removes every key form the checks write, and nothing else', async () => {
    const ours = [
      'rak:session-migration:0a1b2c3d:sess:abc',
      '{rak:mcp-server:0a1b2c3d}:s',
      'mcp:ratelimit:rak:mcp-server:0a1b2c3d-p:gcra:{u1}',
      'vector:rak_mcp_server_0a1b2c3d_docs:vset',
      'rak_key_audit_0a1b2c3d',
    ];
    const theirs = ['rak:mcp-server:zz', 'rak_mcp_server_docs', 'rak:vector-search:0a1b2c3d:x', 'mcp:session:1'];
    for (const key of [...ours, ...theirs]) await client.set(key, 'v');
    const removed = await removeKeys(client, matrixKeyPatterns(['session-migration', 'mcp-server', 'key-audit']));
    expect(removed).toBe(ours.length);
    expect(await client.exists(...ours)).toBe(0);
    expect(await client.exists(...theirs)).toBe(theirs.length);
    await client.unlink(...theirs);
  });

  it('on a cluster, removes the keys from every master', async () => {
    for (const t of targets().filter((x) => x.cluster)) {
      const cluster = await clientFor(t);
      const keys = Array.from({ length: 30 }, (_, i) => `rak:connection:0a1b2c3d:${i}`);
      for (const key of keys) await cluster.set(key, 'v', 'EX', 60);
      const slots = new Set(await Promise.all(keys.map((k) => cluster.cluster('KEYSLOT', k))));
      expect(slots.size).toBeGreaterThan(3);
      expect(await removeKeys(cluster, matrixKeyPatterns(['connection']))).toBe(keys.length);
      for (const key of keys) expect(await cluster.exists(key)).toBe(0);
    }
  });
});
