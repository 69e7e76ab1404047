/**
 * The example app and its commands end to end: a cookie issued while sessions live in PostgreSQL keeps its user and
 * data through the cutover store, the migrate command and the switch to the Redis store, on every target; the
 * runbook's rollback (`migrate --reset`) and a second cutover on a real PostgreSQL; the table created when missing;
 * the command line and start-up errors; /readyz following Redis going away and coming back (on a private server
 * this file starts and stops).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LegacyDatabase, openLegacyDatabase } from '../../examples/session-migration/src/legacy-db.ts';
import { seedSessions } from '../../examples/session-migration/src/seed.ts';
import { type RunningSessionApp, startSessionApp } from '../src/session-migration-app.ts';
import { targetConnection } from '../src/targets/describe.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import { type LocalPostgres, sharedPostgres, stopSharedPostgres } from '../src/targets/postgres.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { targets } from '../src/vitest/index.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'session-migration');

function redisEnv(t: TargetInfo): Record<string, string> {
  return { REDIS_URL: t.url, ...(t.cluster ? { REDIS_CLUSTER: 'true' } : {}) };
}

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the example's scripts (`src/migrate.ts`, `src/seed.ts`, …) to its end, whatever its exit code. */
function runScript(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', script, ...args],
      { cwd: exampleDir, env: { ...process.env, ...env, CI: 'true' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        const code = failed ? (typeof failed.code === 'number' ? failed.code : null) : 0;
        resolve({ code, signal: failed?.signal ?? null, stdout, stderr });
      },
    );
  });
}

describe.each(targets().map((t) => [t.name, t] as const))('session migration app on %s', (_name, t) => {
  let legacy: LegacyDatabase;
  const tag = Math.random().toString(36).slice(2, 8);
  const tableName = `session_app_${tag}`;
  let env: Record<string, string>;

  beforeAll(async () => {
    legacy = await openLegacyDatabase({ pglitePort: 0, tableName });
    env = {
      ...redisEnv(t),
      DATABASE_URL: legacy.url,
      SESSION_TABLE: tableName,
      SESSION_PREFIX: `rak:session-migration:${tag}:sess:`,
    };
  });
  afterAll(() => legacy?.close());

  it('a cookie issued on PostgreSQL authenticates with the same data during the cutover and after the switch to Redis', async () => {
    const pgApp = await startSessionApp({ ...env, SESSION_STORE: 'pg' });
    const alice = await pgApp.request('/login', { method: 'POST', body: { username: 'alice' } });
    const bob = await pgApp.request('/login', { method: 'POST', body: { username: 'bob' } });
    expect(alice.cookie).toMatch(/^sid=s%3A/);
    expect((await pgApp.request('/profile', { cookie: alice.cookie })).body.views).toBe(1);
    expect((await pgApp.request('/profile', { cookie: bob.cookie })).body.views).toBe(1);
    await pgApp.close();
    await seedSessions(legacy.pool, { count: 500, tableName });

    // Cutover store deployed: alice's session is found in PostgreSQL and moves to Redis on her next request.
    const cutover = await startSessionApp({ ...env, SESSION_STORE: 'cutover' });
    const during = await cutover.request('/profile', { cookie: alice.cookie });
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ user: { name: 'alice' }, views: 2 });
    expect((await cutover.request('/readyz')).body.cutover).toMatchObject({ fromLegacy: 1 });

    // The bulk copy moves everyone else; alice's newer session in Redis is left alone.
    const { stdout, code } = await runScript('src/migrate.ts', ['--batch-size=100'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/copied\s+501\b/);
    expect(stdout).toMatch(/already in Redis\s+1\b/);
    expect((await cutover.request('/profile', { cookie: bob.cookie })).body).toMatchObject({
      user: { name: 'bob' },
      views: 2,
    });
    await cutover.close();

    // Switched to connect-redis alone: both cookies still work with their data.
    const redisApp = await startSessionApp({ ...env, SESSION_STORE: 'redis' });
    expect((await redisApp.request('/profile', { cookie: alice.cookie })).body).toMatchObject({
      user: { name: 'alice' },
      views: 3,
    });
    expect((await redisApp.request('/profile', { cookie: bob.cookie })).body).toMatchObject({
      user: { name: 'bob' },
      views: 3,
    });
    expect((await redisApp.request('/logout', { method: 'POST', cookie: bob.cookie })).status).toBe(200);
    expect((await redisApp.request('/profile', { cookie: bob.cookie })).status).toBe(401);
    expect((await redisApp.request('/readyz')).body.checks).not.toHaveProperty('postgres');
    await redisApp.close();
  });
});

describe('on a real PostgreSQL (Debian’s, a private cluster)', () => {
  let postgres: LocalPostgres;
  let admin: pg.Pool;
  const tag = Math.random().toString(36).slice(2, 8);
  /** The app's variables for one table (created by the app or seed, never by this test). */
  /** The first target started (any of them: these tests are about PostgreSQL and the commands). */
  const redisTarget = () => targets()[0] as TargetInfo;
  const envFor = (tableName: string) => ({
    ...redisEnv(redisTarget()),
    DATABASE_URL: postgres.url,
    SESSION_TABLE: tableName,
    SESSION_PREFIX: `rak:session-migration:${tag}:${tableName}:`,
  });

  beforeAll(async () => {
    postgres = await sharedPostgres();
    admin = new pg.Pool({ connectionString: postgres.url, max: 2 });
    admin.on('error', () => {});
  });
  afterAll(async () => {
    await admin?.end();
    await stopSharedPostgres();
  });

  it('creates the session table when missing (app and seed), and /readyz checks that it exists', async () => {
    const env = envFor(`fresh_${tag}`);
    const app = await startSessionApp({ ...env, SESSION_STORE: 'pg' });
    try {
      expect((await app.request('/login', { method: 'POST', body: { username: 'ada' } })).status).toBe(200);
      expect((await app.request('/readyz')).status).toBe(200);
      await admin.query(`DROP TABLE "fresh_${tag}"`);
      const missing = await app.request('/readyz');
      expect(missing).toMatchObject({ status: 503, body: { down: ['postgres'] } });
      expect(JSON.stringify(missing.body.checks)).toContain(`table \\"fresh_${tag}\\" does not exist`);
    } finally {
      await app.close();
    }
    const seeded = await runScript('src/seed.ts', ['5'], envFor(`seeded_${tag}`));
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toContain(`seeded 5 sessions into postgres://rak:***@`);
    expect((await admin.query(`SELECT count(*)::int AS n FROM "seeded_${tag}"`)).rows[0].n).toBe(5);
  });

  it('rollback: logouts and saves made on the pg store again survive migrate --reset and a second cutover', async () => {
    const env = envFor(`rollback_${tag}`);
    const login = async (app: RunningSessionApp, name: string) =>
      (await app.request('/login', { method: 'POST', body: { username: name } })).cookie;
    const profile = (app: RunningSessionApp, cookie: string | undefined) => app.request('/profile', { cookie });

    const before = await startSessionApp({ ...env, SESSION_STORE: 'pg' });
    const [alice, bob, carol, dave] = [
      await login(before, 'alice'),
      await login(before, 'bob'),
      await login(before, 'carol'),
      await login(before, 'dave'),
    ];
    await before.close();

    // The first cutover: sessions move (alice on use, the rest by the copy); bob logs out.
    const first = await startSessionApp({ ...env, SESSION_STORE: 'cutover' });
    expect((await profile(first, alice)).body).toMatchObject({ views: 1 });
    expect((await runScript('src/migrate.ts', [], env)).stdout).toMatch(/copied\s+3\b/);
    expect((await first.request('/logout', { method: 'POST', cookie: bob })).status).toBe(200);
    await first.close();

    // Rolled back to the pg store: carol logs out, dave's session changes, in PostgreSQL only.
    const rolledBack = await startSessionApp({ ...env, SESSION_STORE: 'pg' });
    expect((await profile(rolledBack, bob)).status).toBe(401);
    expect((await rolledBack.request('/logout', { method: 'POST', cookie: carol })).status).toBe(200);
    expect((await profile(rolledBack, dave)).body).toMatchObject({ views: 1 });
    expect((await profile(rolledBack, dave)).body).toMatchObject({ views: 2 });
    const reset = await runScript('src/migrate.ts', ['--reset'], env);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/applied 1 logouts made in Redis to the table/);
    expect(reset.stdout).toMatch(/deleted 3 session keys and 4 moved markers/);
    await rolledBack.close();

    // The second cutover serves the table as the rollback left it.
    const second = await startSessionApp({ ...env, SESSION_STORE: 'cutover' });
    expect((await profile(second, carol)).status).toBe(401);
    expect((await profile(second, bob)).status).toBe(401);
    expect((await profile(second, dave)).body).toMatchObject({ user: { name: 'dave' }, views: 3 });
    expect((await profile(second, alice)).body).toMatchObject({ user: { name: 'alice' } });
    const copy = await runScript('src/migrate.ts', [], env);
    expect(copy.stdout).toMatch(/Copy finished/);
    await second.close();
  });

  it('migrate: --help, a refused option, sessions too large reported and copied with --max-value-bytes', async () => {
    const tableName = `large_${tag}`;
    const env = envFor(tableName);
    const help = await runScript('src/migrate.ts', ['--help'], env);
    expect(help.code).toBe(0);
    for (const option of [
      '--dry-run',
      '--batch-size',
      '--max-value-bytes',
      '--restart',
      '--checkpoint-file',
      '--reset',
    ]) {
      expect(help.stdout).toContain(option);
    }
    const refused = await runScript('src/migrate.ts', ['--bogus'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Unknown option '--bogus'[\s\S]*Usage: npm run migrate/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    await runScript('src/seed.ts', ['3'], env);
    const big = JSON.stringify({ cookie: { originalMaxAge: 3_600_000 }, user: 'big', blob: 'x'.repeat(150 * 1024) });
    await admin.query(`INSERT INTO "${tableName}" VALUES ('big-one', $1, now() + interval '1 hour')`, [big]);
    const first = await runScript('src/migrate.ts', [], env);
    expect(first.stdout).toMatch(/copied\s+3\b/);
    expect(first.stdout).toMatch(/malformed\s+0\b/);
    expect(first.stdout).toMatch(/too large\s+1\b/);
    expect(first.stdout).toMatch(/big-one: 153,\d{3} bytes/);
    expect(first.stdout).toContain('run again with --max-value-bytes=153');
    const raised = await runScript('src/migrate.ts', ['--max-value-bytes=200000'], env);
    expect(raised.stdout).toMatch(/copied\s+1\b/);
    expect(raised.stdout).toMatch(/too large\s+0\b/);
  });

  it('migrate: SIGTERM finishes the batch in flight, saves the checkpoint and prints the report; the next run resumes', async () => {
    const env = envFor(`term_${tag}`);
    await runScript('src/seed.ts', ['30000'], env);
    const child: ChildProcess = spawn(process.execPath, ['--conditions=source', 'src/migrate.ts', '--batch-size=50'], {
      cwd: exampleDir,
      env: { ...process.env, ...env, CI: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Stopped once a batch is done (its checkpoint saved), so the run is surely mid-copy.
    const redis = await connect(targetConnection(redisTarget()));
    try {
      const checkpoint = `session-migration:checkpoint:term_${tag}`;
      for (let tries = 0; (await redis.exists(checkpoint)) === 0; tries++) {
        if (tries > 3000 || child.exitCode !== null) throw new Error(`no checkpoint saved: ${stdout}${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await closeClient(redis);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/Copy stopped after \S+: [\d,]+ rows/);
    expect(stdout).toContain('Run the copy again to resume');
    const resumed = await runScript('src/migrate.ts', [], env);
    expect(resumed.stdout).toMatch(/Copy finished \(resumed after \S+\)/);
  });
});

describe('start-up errors say what is wrong', () => {
  let server: LocalServer;
  let occupied: Server;
  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    const admin = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await admin.call('CONFIG', 'SET', 'requirepass', 'the-right-one');
    admin.disconnect();
    occupied = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => occupied.once('listening', resolve));
  });
  afterAll(async () => {
    occupied?.close();
    await server?.stop();
  });

  it('a port in use is named, with what to do', async () => {
    const port = (occupied.address() as { port: number }).port;
    const result = await runScript('src/server.ts', [], {
      PORT: String(port),
      SESSION_STORE: 'redis',
      REDIS_URL: server.url,
      REDIS_PASSWORD: 'the-right-one',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${port} is in use`);
  });

  it.each([
    ['a refused connection', {}, 'dead', /connection refused \(ECONNREFUSED\)/],
    ['a wrong password', { REDIS_PASSWORD: 'wrong' }, 'live', /refused the credentials \(WRONGPASS\)/],
    ['no password', {}, 'live', /needs a password \(NOAUTH\)/],
  ] as const)('Redis: %s is named as the cause', async (_case, extra, which, cause) => {
    const url = which === 'live' ? server.url : 'redis://127.0.0.1:1';
    const started = startSessionApp({ REDIS_URL: url, SESSION_STORE: 'redis', REDIS_PASSWORD: '', ...extra });
    await expect(started).rejects.toThrow(cause);
    await expect(started).rejects.not.toThrow(/no answer within/);
  });

  it('the right password given only in REDIS_PASSWORD logs in', async () => {
    const app = await startSessionApp({
      REDIS_URL: server.url,
      SESSION_STORE: 'redis',
      REDIS_PASSWORD: 'the-right-one',
    });
    try {
      const login = await app.request('/login', { method: 'POST', body: { username: 'ada' } });
      expect(login.status).toBe(200);
      expect((await app.request('/profile', { cookie: login.cookie })).body).toMatchObject({ views: 1 });
    } finally {
      await app.close();
    }
  });
});

describe('/readyz when Redis goes away', () => {
  let server: LocalServer;
  let app: RunningSessionApp;
  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    app = await startSessionApp({ REDIS_URL: server.url, SESSION_STORE: 'cutover' });
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });

  it('answers 503 naming redis while it is stopped, and 200 once it is back', async () => {
    const login = await app.request('/login', { method: 'POST', body: { username: 'carol' } });
    expect((await app.request('/readyz')).status).toBe(200);
    await server.halt();
    const down = await app.request('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', down: ['redis'], checks: { postgres: { ok: true } } });
    expect((await app.request('/profile', { cookie: login.cookie })).status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);

    await server.restart();
    let ready = await app.request('/readyz');
    for (let attempt = 0; ready.status !== 200 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ready = await app.request('/readyz');
    }
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', down: [] } });
  });
});
