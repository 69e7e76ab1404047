/**
 * The MCP server as users start it: the CLI over stdio and over Streamable HTTP on every target, exactly as
 * .codex/config.toml says, as a read-only ACL user, over TLS with certificates made here, across a Redis restart,
 * with keyspace notifications, and never printing a password.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exerciseEveryTool, inProcessSession, type McpSession, mcpSession } from '../src/suites/mcp-server.suite.ts';
import { READ_ONLY_RECIPE } from '../src/suites/read-only-acl.ts';
import { LocalCluster } from '../src/targets/local-cluster.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { clientFor, target, targets } from '../src/vitest/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = ['--conditions=source', join(ROOT, 'packages/mcp-server/src/cli.ts')];

function targetFlags(t: TargetInfo): string[] {
  return ['--url', t.url, ...(t.cluster ? ['--cluster-mode'] : [])];
}

/** The CLI over stdio with a real SDK client; `stderr` collects what the server logged. */
async function stdioSession(
  args: string[],
  env: Record<string, string> = {},
  command = process.execPath,
  cwd = ROOT,
): Promise<McpSession & { stderr: () => string }> {
  const transport = new StdioClientTransport({
    command,
    args,
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'rak-stdio', version: '1' });
  await client.connect(transport);
  const session = await mcpSession(client, () => client.close());
  return { ...session, stderr: () => stderr };
}

/** Starts the CLI with --transport http on a free port and waits for its "listening on" line. */
async function startHttpServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [...CLI, '--transport', 'http', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const found = /listening on (\S+)/.exec(log);
      if (found) resolveUrl(found[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
  });
  return { url, child, log: () => log };
}

async function httpSession(url: string, headers: Record<string, string> = {}): Promise<McpSession> {
  const client = new Client({ name: 'rak-http', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return mcpSession(client, () => client.close());
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Runs the CLI to completion (for start-up failures) and returns its exit code and stderr. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => done({ code, stderr }));
  });
}

const tag = () => `{rak:mcp-t:${randomBytes(4).toString('hex')}}`;

describe('redis-mcp-server over stdio', () => {
  for (const t of targets()) {
    it(`${t.name}: every tool, then bad input, and the process stays up`, async () => {
      const s = await stdioSession([...CLI, ...targetFlags(t), '--profile', 'full', '--output-schemas']);
      try {
        await exerciseEveryTool(s, tag(), t.capabilities.hashFieldTtl, t.cluster);
        expect(await s.fails('string', { op: 'get', key: 7 })).toMatch(/expected string/);
        expect(await s.fails('list', { op: 'range', key: 'k', count: 10_000 })).toMatch(/<=100/);
        expect((await s.ok('docs', { command: 'get' })).command).toBe('GET');
      } finally {
        await s.close();
      }
    });
  }
});

describe('redis-mcp-server over Streamable HTTP', () => {
  for (const t of targets()) {
    it(`${t.name}: every tool through the HTTP transport`, async () => {
      const server = await startHttpServer([...targetFlags(t), '--profile', 'full', '--output-schemas']);
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
        const s = await httpSession(server.url);
        try {
          await exerciseEveryTool(s, tag(), t.capabilities.hashFieldTtl, t.cluster);
          expect(await s.fails('hash', { op: 'set', key: 'k' })).toMatch(/needs fields/);
        } finally {
          await s.close();
        }
      } finally {
        await stop(server.child);
      }
    });
  }

  it('beyond loopback a bearer token is required, and checked', async () => {
    const t = target('redis-8');
    const refused = await runCli([...targetFlags(t), '--transport', 'http', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/set REDIS_MCP_HTTP_TOKEN/);
    const token = randomBytes(24).toString('hex');
    const server = await startHttpServer([...targetFlags(t), '--host', '0.0.0.0'], { REDIS_MCP_HTTP_TOKEN: token });
    try {
      const url = server.url.replace('0.0.0.0', '127.0.0.1');
      const anonymous = await fetch(url, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(anonymous.status).toBe(401);
      const s = await httpSession(url, { authorization: `Bearer ${token}` });
      try {
        expect((await s.ok('server', { op: 'dbsize' })).nodes).toHaveLength(1);
      } finally {
        await s.close();
      }
      expect(server.log()).not.toContain(token);
    } finally {
      await stop(server.child);
    }
  });

  it('on loopback, a request naming another Host is refused (DNS rebinding)', async () => {
    const server = await startHttpServer(targetFlags(target('redis-8')));
    try {
      const port = Number(new URL(server.url).port);
      // fetch may not set Host, so a raw request does.
      const status = await new Promise<number | undefined>((done, fail) => {
        const req = request({
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: { host: 'evil.example' },
        });
        req.once('response', (res) => {
          res.resume();
          done(res.statusCode);
        });
        req.once('error', fail);
        req.end('{}');
      });
      expect(status).toBe(403);
      // Malformed JSON-RPC is answered with a client error, and the server goes on serving.
      const garbage = await fetch(server.url, {
        method: 'POST',
        body: '{not json',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      expect(garbage.status).toBe(400);
      const s = await httpSession(server.url);
      try {
        expect((await s.ok('docs', { pattern: 'xadd' })).names).toEqual(['xadd']);
      } finally {
        await s.close();
      }
    } finally {
      await stop(server.child);
    }
  });
});

describe('.codex/config.toml', () => {
  const config = () => {
    const json = execFileSync('python3', [
      '-c',
      'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))',
      join(ROOT, '.codex/config.toml'),
    ]).toString();
    const server = (JSON.parse(json) as { mcp_servers: Record<string, Record<string, unknown>> }).mcp_servers.redis;
    assert.ok(server, '[mcp_servers.redis] exists');
    return { json, server };
  };

  /** Codex passes only a few variables (PATH, HOME, …) and the listed env_vars: so does this. */
  const codexEnv = (extra: Record<string, string>) => ({ HOME: process.env.HOME ?? '', ...extra });

  /** Starts the server exactly as configured, from a subdirectory, and uses it. */
  async function asConfigured(env: Record<string, string>) {
    const { server } = config();
    const s = await stdioSession(server.args as string[], env, String(server.command), join(ROOT, 'examples'));
    try {
      const names = s.tools.map((tool) => tool.name).sort();
      expect(names).toEqual(['docs', 'hash', 'keys', 'server', 'string']);
      const key = `${tag()}:codex`;
      await s.ok('string', { op: 'set', key, value: 'from codex', ttl: 30 });
      expect((await s.ok('string', { op: 'get', key })).value).toBe('from codex');
      await s.ok('keys', { op: 'del', keys: [key] });
      return s.stderr();
    } finally {
      await s.close();
    }
  }

  it('names no URL or credential, and forwards REDIS_URL and the credentials from the environment', () => {
    const { json, server } = config();
    expect(server.enabled).toBe(true);
    expect(server.args as string[]).not.toContain('--url');
    expect(json).not.toMatch(/password\s*=|:[^@/]+@/i);
    expect(server.env_vars).toEqual(expect.arrayContaining(['REDIS_URL', 'REDIS_USERNAME', 'REDIS_PASSWORD']));
  });

  it('starts from any directory with REDIS_URL from the environment', async () => {
    const stderr = await asConfigured(codexEnv({ REDIS_URL: target('redis-8').url }));
    expect(stderr).toMatch(/redis-mcp-server: redis 8\.0\.\d+ at redis:\/\/127\.0\.0\.1:\d+;/);
  });

  it('without REDIS_URL, uses the servers npm run servers wrote to reports/servers.env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rak-servers-env-'));
    try {
      const file = join(dir, 'servers.env');
      writeFileSync(
        file,
        `# test\nREDIS_URL=${target('redis-8').url}\nREDIS_TARGETS=redis-8=${target('redis-8').url}\n`,
      );
      const stderr = await asConfigured(codexEnv({ RAK_SERVERS_ENV: file }));
      expect(stderr).toContain(`REDIS_URL from ${file}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('read-only ACL user', () => {
  const copiedUser = `rak-codex-reader-${randomBytes(4).toString('hex')}`;
  const user = `${copiedUser}-fixed`;
  const password = randomBytes(18).toString('hex');
  /** The widely copied recipe, verbatim but for the name and password. */
  const COPIED_RULES = '~* +@read +@connection +info +dbsize -@admin -@write -@dangerous';
  /** The recipe AGENTS.md and the skill give (INFO is @dangerous, so +info comes after -@dangerous). */
  const recipe = (file: string) =>
    /ACL SETUSER codex-reader on >… (.+)$/m.exec(readFileSync(join(ROOT, file), 'utf8'))?.[1]?.replace(/`$/, '');
  const FIXED_RULES = recipe('AGENTS.md') ?? 'missing from AGENTS.md';

  it('AGENTS.md and the skill give the same recipe (the one the pattern suites read as)', () => {
    expect(FIXED_RULES).toMatch(/-@dangerous .*\+info/);
    expect(recipe('templates/skill/SKILL.md')).toBe(FIXED_RULES);
    expect(READ_ONLY_RECIPE).toBe(FIXED_RULES);
  });
  let admin: Awaited<ReturnType<typeof clientFor>>;

  beforeAll(async () => {
    admin = await clientFor(target('redis-8'));
    await admin.call('ACL', 'SETUSER', copiedUser, 'on', `>${password}`, ...COPIED_RULES.split(' '));
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, ...FIXED_RULES.split(' '));
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', copiedUser, user);
  });

  it('the widely copied recipe denies INFO, and the server says which rule to move', async () => {
    const { code, stderr } = await runCli(targetFlags(target('redis-8')), {
      REDIS_USERNAME: copiedUser,
      REDIS_PASSWORD: password,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/NOPERM.*'info'.*give '\+info' after any '-@dangerous'/);
    expect(stderr).not.toContain(password);
  });

  it('the fixed recipe reads through the MCP server, cannot write, and its password never shows', async () => {
    const key = `${tag()}:acl`;
    await admin.set(key, 'readable', 'EX', 60);
    const s = await stdioSession([...CLI, ...targetFlags(target('redis-8')), '--profile', 'full'], {
      REDIS_USERNAME: user,
      REDIS_PASSWORD: password,
    });
    const texts: string[] = [];
    try {
      expect((await s.ok('string', { op: 'get', key })).value).toBe('readable');
      for (const [tool, args] of [
        ['string', { op: 'set', key, value: 'overwritten', ttl: 60 }],
        ['keys', { op: 'del', keys: [key] }],
        ['hash', { op: 'set', key: `${key}:h`, fields: { a: '1' } }],
        // The session repository writes in a MULTI: Redis refuses the queued command, then EXECABORTs the lot.
        ['session', { op: 'create', data: { a: 1 }, ttl: 60 }],
      ] as const) {
        const text = await s.fails(tool, args);
        expect(text, `${tool} ${args.op}`).toMatch(/^NOPERM: the Redis user this server connects as may not do this/);
        texts.push(text);
      }
      expect(await admin.get(key)).toBe('readable');
      expect(await admin.exists(`${key}:h`)).toBe(0);
      expect(await s.fails('pubsub', { op: 'publish', channel: 'x', message: 'm' })).toMatch(/NOPERM/);
      // A check it may not run is skipped, not fatal: keyspace watch without CONFIG GET still listens.
      expect((await s.ok('pubsub', { op: 'keyspace', channel: 'x', waitMs: 10 })).timedOut).toBe(true);
    } finally {
      await s.close();
      await admin.unlink(key);
    }
    for (const text of [...texts, s.stderr()]) expect(text).not.toContain(password);
  });

  it('memory recall as the recipe user meets an expired memory: answered without it, no NOPERM', async () => {
    const base = `rak:mcp-t:${randomBytes(4).toString('hex')}`; // a memory prefix: no braces
    const writer = await inProcessSession(target('redis-8'), ['--tools', 'memory']);
    let kept: string;
    try {
      const remember = async (text: string, ttl: number) =>
        (
          (await writer.ok('memory', { op: 'remember', prefix: base, user: 'acl', text, ttl })).remembered as {
            id: string;
          }
        ).id;
      kept = await remember('The on-call rota changes on Mondays', 0);
      const short = await remember('The on-call phone is charging', 1);
      const record = (await admin.keys(`${base}:ltm:*:m:${short}`))[0] as string;
      for (let i = 0; i < 300 && (await admin.exists(record)); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await writer.close();
    }
    const s = await stdioSession([...CLI, ...targetFlags(target('redis-8')), '--tools', 'memory', '--read-only'], {
      REDIS_USERNAME: user,
      REDIS_PASSWORD: password,
    });
    try {
      const recalled = (await s.ok('memory', { op: 'recall', prefix: base, user: 'acl', text: 'on-call', k: 5 }))
        .memories as { id: string }[];
      expect(recalled.map((m) => m.id)).toEqual([kept]);
    } finally {
      await s.close();
      const keys = await admin.keys(`${base}:ltm:*`);
      if (keys.length) await admin.unlink(...keys);
    }
  });

  it('every read op of every tool works as the recipe user (--profile read)', async () => {
    const base = tag();
    const k = (name: string) => `${base}:${name}`;
    const index = `rak_acl_${randomBytes(4).toString('hex')}`;
    await admin.set(k('s'), 'v', 'EX', 60);
    await admin.hset(k('h'), 'f', '1');
    await admin.rpush(k('l'), 'a', 'b');
    await admin.sadd(k('a'), 'x', 'y');
    await admin.sadd(k('b'), 'y');
    await admin.zadd(k('z'), 1, 'm');
    await admin.xadd(k('x'), '*', 'e', '1');
    await admin.xgroup('CREATE', k('x'), 'g', '0');
    await admin.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1, 'STREAMS', k('x'), '>');
    for (const name of ['h', 'l', 'a', 'b', 'z', 'x']) await admin.expire(k(name), 60);
    const writer = await inProcessSession(target('redis-8'), ['--tools', 'vector']);
    await writer.ok('vector', {
      op: 'upsert',
      index,
      docs: [{ id: 'a', text: 'a brass lamp', attrs: { kind: 'lamp' } }],
      ttl: 60,
    });
    await writer.close();

    const s = await stdioSession([...CLI, ...targetFlags(target('redis-8')), '--profile', 'read'], {
      REDIS_USERNAME: user,
      REDIS_PASSWORD: password,
    });
    const calls: [string, Record<string, unknown>][] = [
      ['keys', { op: 'scan', pattern: `${base}:*` }],
      ['keys', { op: 'info', keys: [k('s')] }],
      ['string', { op: 'get', key: k('s') }],
      ['hash', { op: 'get', key: k('h') }],
      ['hash', { op: 'ttl', key: k('h'), names: ['f'] }],
      ['list', { op: 'range', key: k('l') }],
      ['set', { op: 'members', key: k('a') }],
      ['set', { op: 'has', key: k('a'), members: ['x'] }],
      ['set', { op: 'union', key: k('a'), keys: [k('b')] }],
      ['set', { op: 'inter', key: k('a'), keys: [k('b')] }],
      ['set', { op: 'diff', key: k('a'), keys: [k('b')] }],
      ['zset', { op: 'range', key: k('z') }],
      ['zset', { op: 'score', key: k('z'), members: ['m'] }],
      ['stream', { op: 'range', key: k('x') }],
      ['stream', { op: 'info', key: k('x') }],
      ['stream', { op: 'pending', key: k('x'), group: 'g' }],
      ['pubsub', { op: 'subscribe', channel: k('c'), waitMs: 10 }],
      ['pubsub', { op: 'psubscribe', channel: k('c*'), waitMs: 10 }],
      ['pubsub', { op: 'keyspace', channel: k('*'), waitMs: 10 }],
      ['session', { op: 'get', id: 'nosuch' }],
      ['cache', { op: 'get', namespace: base, key: 'k' }],
      ['cache', { op: 'has', namespace: base, key: 'k' }],
      ['cache', { op: 'stats', namespace: base }],
      ['ratelimit', { op: 'peek', policy: base, id: 'u', limit: 3, window: 60 }],
      ['queue', { op: 'stats', queue: `acl${index}` }],
      ['queue', { op: 'dead_letters', queue: `acl${index}` }],
      ['vector', { op: 'search', index, text: 'lamp', k: 1 }],
      ['vector', { op: 'info', index }],
      ['memory', { op: 'recall', user: `acl${index}`, text: 'lamp' }],
      ['working_memory', { op: 'get', session: `acl${index}` }],
      ['server', { op: 'info' }],
      ['server', { op: 'dbsize' }],
      ['server', { op: 'slowlog' }],
      ['server', { op: 'memory', key: k('s') }],
      ['server', { op: 'clients' }],
      ['audit', { match: `${base}:*`, sample: 20 }],
      ['docs', { command: 'get' }],
    ];
    try {
      const called = new Set(calls.map(([tool, args]) => `${tool} ${args.op ?? ''}`.trim()));
      for (const tool of s.tools) {
        const ops = (tool.inputSchema.properties?.op as { enum?: string[] } | undefined)?.enum;
        for (const op of ops ?? ['']) {
          if (`${tool.name} ${op}`.trim() === 'server cluster') continue; // a standalone server: "not a cluster"
          expect(called.has(`${tool.name} ${op}`.trim()), `${tool.name} ${op} is exercised`).toBe(true);
        }
      }
      for (const [tool, args] of calls) await s.ok(tool, args);
      expect(
        ((await s.ok('vector', { op: 'search', index, text: 'lamp', k: 1 })).hits as { id: string }[])[0]?.id,
      ).toBe('a');
      expect(await s.fails('server', { op: 'cluster' })).toMatch(/not a cluster/);
    } finally {
      await s.close();
      await admin.unlink(...['s', 'h', 'l', 'a', 'b', 'z', 'x'].map(k), `vector:${index}:vset`);
    }
  });
});

describe('resilience and private servers', () => {
  const dirs: string[] = [];
  const servers: LocalServer[] = [];
  const clusters: LocalCluster[] = [];
  afterAll(async () => {
    await Promise.all([...servers, ...clusters].map((s) => s.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a password in the URL is redacted when the connection fails', async () => {
    const secret = `pw-${randomBytes(8).toString('hex')}`;
    const { code, stderr } = await runCli(['--url', `redis://someone:${secret}@127.0.0.1:1/0`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot start: Cannot connect to redis:\/\/someone:\*\*\*@127\.0\.0\.1:1\/0/);
    expect(stderr).not.toContain(secret);
  });

  it('answers with error results while Redis is down and recovers when it returns', async () => {
    const server = await LocalServer.start({ kind: 'redis' });
    servers.push(server);
    const s = await inProcessSession({ url: server.url, cluster: false } as TargetInfo, [
      '--profile',
      'full',
      '--command-timeout-ms',
      '1000',
    ]);
    try {
      await s.ok('string', { op: 'set', key: 'app:k:1', value: 'before', ttl: 60 });
      await server.kill();
      expect(await s.fails('string', { op: 'get', key: 'app:k:1' })).toMatch(/unreachable/);
      expect(await s.fails('keys', { op: 'scan' })).toMatch(/unreachable/);
      await server.restart();
      let value: unknown;
      for (let i = 0; i < 50 && value === undefined; i++) {
        const result = await s.client.callTool({
          name: 'string',
          arguments: { op: 'set', key: 'app:k:1', value: 'after', ttl: 60 },
        });
        if (!result.isError) value = (await s.ok('string', { op: 'get', key: 'app:k:1' })).value;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(value).toBe('after');
    } finally {
      await s.close();
    }
  });

  it('keyspace watch returns events of keys changed while it waits', async () => {
    const server = await LocalServer.start({ kind: 'valkey', args: ['--notify-keyspace-events', 'KEA'] });
    servers.push(server);
    const s = await inProcessSession({ url: server.url, cluster: false } as TargetInfo, ['--profile', 'full']);
    try {
      let done = false;
      const watching = s
        .ok('pubsub', { op: 'keyspace', channel: 'app:watched:*', waitMs: 5000, count: 2 })
        .finally(() => {
          done = true;
        });
      for (let i = 0; !done && i < 200; i++) {
        await s.ok('string', { op: 'set', key: `app:watched:${i}`, value: 'v', ttl: 60 });
        await new Promise((r) => setTimeout(r, 20));
      }
      const { messages } = await watching;
      expect(messages).toHaveLength(2);
      for (const m of messages as { channel: string; message: string }[]) {
        expect(m.channel).toMatch(/^app:watched:\d+$/);
        expect(['set', 'expire']).toContain(m.message);
      }
    } finally {
      await s.close();
    }
  });

  it('on a cluster, keyspace watch hears every master', async () => {
    const cluster = await LocalCluster.start('redis');
    clusters.push(cluster);
    for (const url of cluster.urls) {
      const node = await connect({ url });
      await node.config('SET', 'notify-keyspace-events', 'KA');
      await closeClient(node);
    }
    const s = await inProcessSession({ url: cluster.urls[0], cluster: true } as TargetInfo, ['--profile', 'full']);
    try {
      let done = false;
      const watching = s.ok('pubsub', { op: 'keyspace', channel: 'app:c:*', waitMs: 5000, count: 30 }).finally(() => {
        done = true;
      });
      // Keys without a hash tag land on all three masters; the watch ends when it has heard 30 events.
      for (let i = 0; !done && i < 500; i++) {
        await s.ok('string', { op: 'set', key: `app:c:${i}`, value: 'v', ttl: 60, nx: true });
      }
      const keys = ((await watching).messages as { channel: string }[]).map((m) => m.channel);
      // Which master owns each key's slot, from the server tool's own slot map.
      const listed = await s.ok('server', { op: 'cluster' });
      const masters = (listed.nodes as { addr: string; ranges?: string[] }[])
        .filter((n) => n.ranges?.length)
        .map((n) => ({ addr: n.addr, ranges: (n.ranges ?? []).map((r) => r.split('-').map(Number)) }));
      const probe = await connect({ url: cluster.urls[0] as string, cluster: true });
      const owners = new Set<string>();
      for (const key of new Set(keys)) {
        const slot = (await probe.cluster('KEYSLOT', key)) as number;
        const owner = masters.find((m) => m.ranges.some(([from = 0, to = from]) => slot >= from && slot <= to));
        owners.add(owner?.addr ?? 'none');
      }
      await closeClient(probe);
      expect([...owners].sort()).toEqual(masters.map((m) => m.addr).sort());
    } finally {
      await s.close();
    }
  });

  it('connects over TLS with a CA, a client certificate and a key made here', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rak-mcp-tls-'));
    dirs.push(dir);
    const f = (name: string) => join(dir, name);
    const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=rak test CA',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    );
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    for (const who of ['server', 'client']) {
      const cn = who === 'server' ? 'localhost' : 'rak client';
      ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${cn}`,
        '-keyout',
        f(`${who}.key`),
        '-out',
        f(`${who}.csr`),
      );
      ssl(
        'x509',
        '-req',
        '-in',
        f(`${who}.csr`),
        '-CA',
        f('ca.crt'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        f('san.ext'),
        '-out',
        f(`${who}.crt`),
      );
    }
    const server = await LocalServer.start({
      kind: 'redis',
      tlsOnly: true,
      args: ['--tls-cert-file', f('server.crt'), '--tls-key-file', f('server.key'), '--tls-ca-cert-file', f('ca.crt')],
    });
    servers.push(server);
    const url = `rediss://127.0.0.1:${server.port}`;
    const tls = ['--tls-ca', f('ca.crt'), '--tls-cert', f('client.crt'), '--tls-key', f('client.key')];
    const s = await inProcessSession({ url, cluster: false } as TargetInfo, [...tls, '--profile', 'full']);
    try {
      await s.ok('string', { op: 'set', key: 'app:tls:1', value: 'over tls', ttl: 60 });
      expect((await s.ok('string', { op: 'get', key: 'app:tls:1' })).value).toBe('over tls');
    } finally {
      await s.close();
    }
    // Without the client certificate the server refuses the handshake, and the CLI says so.
    const refused = await runCli(['--url', url, '--tls-ca', f('ca.crt')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot start: Cannot connect to rediss:/);
  });
});
