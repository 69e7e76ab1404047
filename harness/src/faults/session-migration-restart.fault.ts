/**
 * The session-migration example's app on connect-redis, with Redis persisting every write before it answers
 * (AOF, fsync always): Redis crashes (SIGKILL) and comes back. Every session whose login was acknowledged before
 * the crash still authenticates afterwards with its user; logins during the outage are refused (503), not
 * acknowledged and lost; /readyz says 503 while Redis is down and 200 once it is back, without restarting the app.
 */
import assert from 'node:assert/strict';
import { startSessionApp } from '../session-migration-app.ts';
import { msUntilSucceeds } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const SESSIONS = 50;
/** Logins tried while Redis is down; each must be refused. */
const LOGINS_WHILE_DOWN = 2;

export default defineFaultScenario({
  id: 'session-migration-restart',
  workflow: 'session-migration',
  fault: 'kill',
  title: 'Acknowledged sessions survive a Redis crash and restart (AOF, fsync always); /readyz 503 then 200',
  async run({ startServer, prefix, note }) {
    const server = await startServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const app = await startSessionApp({
      REDIS_URL: server.url,
      SESSION_STORE: 'redis',
      SESSION_PREFIX: `${prefix}:sess:`,
    });
    try {
      const acknowledged: { name: string; cookie: string }[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const name = `user${i}`;
        const login = await app.request('/login', { method: 'POST', body: { username: name } });
        assert.equal(login.status, 200, `login ${i} before the fault`);
        assert.ok(login.cookie, 'a login sets the session cookie');
        acknowledged.push({ name, cookie: login.cookie });
      }
      assert.equal((await app.request('/readyz')).status, 200, 'ready before the fault');

      await server.kill();
      const down = await app.request('/readyz');
      assert.equal(down.status, 503, '/readyz answers 503 while Redis is down');
      assert.deepEqual(down.body.down, ['redis'], '/readyz names redis');
      for (let i = 0; i < LOGINS_WHILE_DOWN; i++) {
        const during = await app.request('/login', { method: 'POST', body: { username: `during${i}` } });
        assert.equal(during.status, 503, 'a login during the outage is refused, not acknowledged');
      }
      note(`during the outage: /readyz ${JSON.stringify(down.body)}`);

      await server.restart();
      const readyMs = await msUntilSucceeds(async () => {
        const ready = await app.request('/readyz');
        if (ready.status !== 200) throw new Error(`/readyz ${ready.status}: ${JSON.stringify(ready.body)}`);
      }, 15_000);

      let lost = 0;
      for (const { name, cookie } of acknowledged) {
        const profile = await app.request('/profile', { cookie });
        const user = profile.body.user as { name?: string } | undefined;
        if (profile.status !== 200 || user?.name !== name) lost++;
      }
      assert.equal(lost, 0, `${lost} of ${SESSIONS} acknowledged sessions lost`);
      return {
        numbers: {
          sessionsAcknowledged: acknowledged.length,
          lostAcknowledged: lost,
          loginsRefusedWhileDown: LOGINS_WHILE_DOWN,
          readyAfterRestartMs: Math.round(readyMs),
        },
      };
    } finally {
      await app.close();
    }
  },
});
