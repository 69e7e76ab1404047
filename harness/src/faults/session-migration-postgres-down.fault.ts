/**
 * The session-migration example's app on the cutover store, with a real PostgreSQL (Debian's, a private cluster)
 * that stops mid-cutover: logins, sessions already moved to Redis and logouts keep working (200), /readyz stays
 * ready but says PostgreSQL is degraded, and a session not moved yet is refused (503: it cannot be told from a
 * stranger without its row), not logged out. When PostgreSQL is back, the logouts made meanwhile reach its table.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { startSessionApp } from '../session-migration-app.ts';
import { LocalPostgres } from '../targets/postgres.ts';
import { msUntilSucceeds } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const MOVED = 4;
const LOGINS_WHILE_DOWN = 3;
const LOGOUTS_WHILE_DOWN = 2;

export default defineFaultScenario({
  id: 'session-migration-postgres-down',
  workflow: 'session-migration',
  fault: 'stop',
  title:
    'Cutover store with PostgreSQL stopped: logins, moved sessions and logouts work; their rows go when it is back',
  async run({ startServer, prefix, note }) {
    const redis = await startServer();
    const postgres = await LocalPostgres.start();
    const admin = new pg.Pool({ connectionString: postgres.url, max: 1 });
    admin.on('error', () => {});
    const env = {
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.url,
      SESSION_TABLE: 'session',
      SESSION_PREFIX: `${prefix}:sess:`,
    };
    try {
      // Sessions made on the legacy store, all but one moved to Redis by a request under the cutover store.
      const pgApp = await startSessionApp({ ...env, SESSION_STORE: 'pg' });
      const users: { name: string; cookie: string | undefined }[] = [];
      for (let i = 0; i <= MOVED; i++) {
        const name = `user${i}`;
        users.push({
          name,
          cookie: (await pgApp.request('/login', { method: 'POST', body: { username: name } })).cookie,
        });
      }
      await pgApp.close();
      const [unmoved, ...moved] = users as [(typeof users)[number], ...typeof users];
      const app = await startSessionApp({ ...env, SESSION_STORE: 'cutover' });
      try {
        for (const { cookie } of moved) assert.equal((await app.request('/profile', { cookie })).status, 200);

        await postgres.halt();
        const ready = await app.request('/readyz');
        assert.equal(ready.status, 200, '/readyz stays ready without PostgreSQL under the cutover store');
        assert.deepEqual(ready.body.degraded, ['postgres'], '/readyz names PostgreSQL as degraded');
        for (let i = 0; i < LOGINS_WHILE_DOWN; i++) {
          const login = await app.request('/login', { method: 'POST', body: { username: `during${i}` } });
          assert.equal(login.status, 200, 'a login works while PostgreSQL is down');
          assert.equal((await app.request('/profile', { cookie: login.cookie })).status, 200);
        }
        for (const { name, cookie } of moved) {
          const profile = await app.request('/profile', { cookie });
          assert.equal((profile.body.user as { name?: string } | undefined)?.name, name, 'a moved session still works');
        }
        const loggedOut = moved.slice(0, LOGOUTS_WHILE_DOWN);
        for (const { cookie } of loggedOut) {
          assert.equal((await app.request('/logout', { method: 'POST', cookie })).status, 200, 'a logout works');
          assert.equal((await app.request('/profile', { cookie })).status, 401, 'and stays logged out');
        }
        const notMoved = await app.request('/profile', { cookie: unmoved.cookie });
        assert.equal(notMoved.status, 503, 'a session not moved yet is refused, not logged out');
        note(`while down: /readyz ${JSON.stringify({ status: ready.body.status, degraded: ready.body.degraded })}`);

        await postgres.restart();
        const rowsGoneMs = await msUntilSucceeds(async () => {
          const { rows } = await admin.query('SELECT count(*)::int AS n FROM session');
          if (rows[0].n !== users.length - LOGOUTS_WHILE_DOWN) throw new Error(`${rows[0].n} rows left`);
        }, 30_000);
        assert.equal((await app.request('/profile', { cookie: unmoved.cookie })).status, 200, 'served again once back');
        for (const { cookie } of loggedOut) assert.equal((await app.request('/profile', { cookie })).status, 401);
        return {
          numbers: {
            loginsWhileDown: LOGINS_WHILE_DOWN,
            logoutsWhileDown: LOGOUTS_WHILE_DOWN,
            rowDeletesDoneAfterRestartMs: Math.round(rowsGoneMs),
          },
        };
      } finally {
        await app.close();
      }
    } finally {
      await admin.end();
      await postgres.stop();
    }
  },
});
