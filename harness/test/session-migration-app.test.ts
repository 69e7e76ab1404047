/**
 * The example app end to end: a cookie issued while sessions live in PostgreSQL keeps its user and data through
 * the cutover store, the migrate command and the switch to the Redis store, on every target; /readyz follows
 * Redis going away and coming back (on a private server this file starts and stops).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LegacyDatabase, openLegacyDatabase } from '../../examples/session-migration/src/legacy-db.ts';
import { seedSessions } from '../../examples/session-migration/src/seed.ts';
import { type RunningSessionApp, startSessionApp } from '../src/session-migration-app.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { targets } from '../src/vitest/index.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'session-migration');
const run = promisify(execFile);

function redisEnv(t: TargetInfo): Record<string, string> {
  return { REDIS_URL: t.url, ...(t.cluster ? { REDIS_CLUSTER: 'true' } : {}) };
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
    const { stdout } = await run(process.execPath, ['--conditions=source', 'src/migrate.ts', '--batch-size=100'], {
      cwd: exampleDir,
      env: { ...process.env, ...env, CI: 'true' },
    });
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
