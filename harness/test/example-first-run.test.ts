/**
 * A new user's first hour with the examples, through the commands the READMEs give: `npm run servers` in one
 * terminal, `npm run example -- …` in another. The examples find that Redis themselves (reports/servers.env, here
 * a private file named by RAK_SERVERS_ENV), key-audit's first run on an empty server audits a demo keyspace, and the
 * session example's cutover runbook is walked end to end over HTTP and its CLI (pg store, cutover store, migrate,
 * Redis store) with the same cookie, across restarts of the app, on the same Redis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import type { AuditReport } from '@redis-agent-kit/patterns/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/targets/ports.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'rak-first-run-'));
const serversFile = join(work, 'servers.env');

/** The one instance's report in key-audit's JSON output. */
const auditReport = (stdout: string) =>
  (JSON.parse(stdout) as { instances: { report: AuditReport }[] }).instances[0]?.report;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command from the repository root in its own process group (npm's children are stopped with it). */
function command(args: string[], env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn('npm', args, {
    cwd: ROOT,
    env: { ...process.env, RAK_SERVERS_ENV: serversFile, RAK_PROVIDER: 'local', REDIS_TARGETS: '', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  return Object.assign(child, { output: () => output });
}

/** `npm run --silent example -- …` to its end (at most two minutes). */
function example(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'example', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, RAK_SERVERS_ENV: serversFile, RAK_PROVIDER: 'local', REDIS_TARGETS: '', ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => {
      stop(child);
      reject(new Error(`npm run example -- ${args.join(' ')} ran over two minutes: ${stdout}${stderr}`));
    }, 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  stop(child);
  await exited;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: () => string, ms = 60_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what()}: not within ${ms} ms`);
}

let servers: ReturnType<typeof command>;
let redisUrl = '';
let client: RedisClient;
const running: ChildProcess[] = [];

beforeAll(async () => {
  // Terminal 1, as the session README says: one Redis 8, on a fixed port.
  const port = await freePort();
  servers = command(['run', 'servers', '--', '--targets', 'redis-8', '--port', String(port)], {});
  await waitFor(
    () => /\[servers\] running/.test(servers.output()) || servers.exitCode !== null,
    () => `npm run servers did not start: ${servers.output()}`,
  );
  expect(servers.output()).toMatch(/\[servers\] running/);
  redisUrl = `redis://127.0.0.1:${port}`;
  client = await connect({ url: redisUrl });
});

afterAll(async () => {
  if (client) await closeClient(client);
  for (const child of running) await stopAndWait(child);
  if (servers) await stopAndWait(servers);
  rmSync(work, { recursive: true, force: true });
});

describe('key-audit, first run', () => {
  it('on the empty Redis of npm run servers, audits a demo keyspace: every key with a TTL, a finding, a big key', async () => {
    expect(await client.dbsize()).toBe(0);
    const run = await example(['key-audit']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Redis from npm run servers (${serversFile}): ${redisUrl}`);
    expect(run.stderr).toMatch(/the server holds no key: running it with --demo/);
    expect(run.stderr).toMatch(/wrote 127 demo keys under key-audit-demo:/);
    const report = auditReport(run.stdout);
    expect(report?.totals).toMatchObject({ scanned: 127, keysWithoutTtl: 0 });
    expect(report?.prefixes.children?.map((c) => c.prefix)).toContain('key-audit-demo');
    expect(report?.bigKeys.keys).toBeGreaterThanOrEqual(1);
    // Redis 8 has HEXPIRE: the demo's per-field keys are the finding it exists to show.
    expect(report?.findings.map((f) => f.rule)).toContain('hash-field-ttl-emulation');
    // Every demo key expires within the hour it promises.
    for (const key of [
      'key-audit-demo:user:1:profile',
      'key-audit-demo:report:daily',
      'key-audit-demo:rate:10.0.0.1',
    ]) {
      const ttl = await client.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(3600);
    }
  });

  it('on a server with keys, audits what is there and writes nothing; --demo writes the same keys again', async () => {
    await client.set('first-run:other', 'v', 'EX', 600);
    const plain = await example(['key-audit', '--format', 'json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toMatch(/demo/);
    const asked = await example(['key-audit', '--demo', '--format', 'json']);
    expect(asked.stderr).toMatch(/wrote 127 demo keys/);
    expect(auditReport(asked.stdout)?.totals.scanned).toBe(128);
    await client.unlink('first-run:other');
  });

  it('without npm run servers, starts a Redis for the run, and the first audit still has data', async () => {
    const run = await example(['key-audit'], { RAK_SERVERS_ENV: join(work, 'none.env') });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/redis-8 on redis:\/\/127\.0\.0\.1:\d+, for this run only \(no .*none\.env\)/);
    expect(auditReport(run.stdout)?.totals.scanned).toBe(127);
  });
  it('with arguments on an empty server, audits it as it is and says how to see more', async () => {
    const run = await example(['key-audit', '--format', 'text'], { RAK_SERVERS_ENV: join(work, 'none.env') });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/demo/);
    expect(run.stdout).toContain('The server holds no keys: `--demo` writes a small demo keyspace');
  });
});

describe('session-migration: the cutover runbook, walked', () => {
  let port: number;
  let env: Record<string, string>;

  /** `npm run example -- session-migration` until it answers /healthz; the output so far. */
  async function startApp(store: string): Promise<ReturnType<typeof command>> {
    // The previous app's node process may still be closing after its npm exited: wait until the port is free.
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => false,
          () => true,
        ),
      () => `port ${port} still answers`,
    );
    const app = command(['run', 'example', '--', 'session-migration'], { ...env, SESSION_STORE: store });
    running.push(app);
    await waitFor(
      async () =>
        app.exitCode !== null ||
        (await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        )),
      () => `the app did not start: ${app.output()}`,
    );
    expect(app.exitCode, app.output()).toBeNull();
    return app;
  }

  const profile = async (cookie: string) =>
    (await (await fetch(`http://127.0.0.1:${port}/profile`, { headers: { cookie } })).json()) as {
      user?: { name: string };
      views?: number;
    };

  beforeAll(async () => {
    port = await freePort();
    env = { PORT: String(port), PGLITE_PORT: String(await freePort()), PGLITE_DIR: join(work, 'pglite') };
  });

  it('a cookie from the PostgreSQL store keeps its user through cutover, migrate and the switch to Redis', async () => {
    // 1. The legacy app, first run: its empty table gets the demo sessions; ada logs in there.
    const legacy = await startApp('pg');
    await waitFor(
      () => /session-migration: http/.test(legacy.output()),
      () => legacy.output(),
    );
    expect(legacy.output()).toMatch(/\[demo\] .* wrote 100 logged-in sessions/);
    const login = await fetch(`http://127.0.0.1:${port}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"ada"}',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(await profile(cookie)).toMatchObject({ user: { name: 'ada' }, views: 1 });
    await stopAndWait(legacy);

    // 2. Deploy the cutover store: ada's session moves to Redis on her next request; the demo rows are not seeded again.
    const cutover = await startApp('cutover');
    expect(await profile(cookie)).toMatchObject({ user: { name: 'ada' }, views: 2 });
    expect(cutover.output()).not.toMatch(/\[demo\]/);
    expect(cutover.output()).toContain('Redis from npm run servers');

    // 3. The bulk copy, from another terminal, on the same Redis and the app's PGlite.
    const dry = await example(['session-migration:migrate', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^\s+would copy\s+100$/m);
    const copy = await example(['session-migration:migrate'], env);
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toMatch(/^\s+copied\s+100$/m);
    expect(copy.stdout).toMatch(/^\s+already in Redis\s+1$/m);
    const again = await example(['session-migration:migrate'], env);
    expect(again.stdout).toMatch(/^\s+copied\s+0$/m);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
      cutover?: { fromLegacy: number };
    };
    expect(ready.cutover?.fromLegacy).toBe(1);
    await stopAndWait(cutover);

    // 4. Switch to the Redis store: the same cookie, the same user, one more view; 101 sessions in Redis.
    await startApp('redis');
    expect(await profile(cookie)).toMatchObject({ user: { name: 'ada' }, views: 3 });
    let sessions = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', 'sess:*', 'COUNT', 500);
      cursor = next;
      sessions += keys.length;
    } while (cursor !== '0');
    expect(sessions).toBe(101);
  });

  it('a script other than start, with no npm run servers, says to start one', async () => {
    const run = await example(['session-migration:migrate'], { RAK_SERVERS_ENV: join(work, 'none.env') });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/session-migration:migrate uses the Redis of the running example, and there is none/);
    expect(run.stderr).toContain('npm run servers -- --targets redis-8');
  });
});
