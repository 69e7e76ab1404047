/**
 * The session suite against a Redis that needs a password given only in REDIS_PASSWORD (the URL has none), as
 * the matrix runs it against a user's server: every check, both legacy databases. The ioredis clients get the
 * password from the connection factory, and connect-redis' node-redis client from the same settings
 * (connectionSettings), so none may fail with NOAUTH.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../src/matrix/suite.ts';
import { closeLegacyDatabases } from '../src/suites/session-migration-fixtures.ts';
import suite from '../src/suites/session-migration.suite.ts';
import { runningTarget } from '../src/targets/describe.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import type { RunningTarget } from '../src/targets/types.ts';

const PASSWORD = `only-in-env-${Math.random().toString(36).slice(2)}`;
let server: LocalServer;
let target: RunningTarget;

beforeAll(async () => {
  server = await LocalServer.start({ kind: 'redis' });
  const admin = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
  await admin.call('CONFIG', 'SET', 'requirepass', PASSWORD);
  admin.disconnect();
  vi.stubEnv('REDIS_PASSWORD', PASSWORD);
  target = await runningTarget(
    { name: 'redis-8', provider: 'url', url: server.url, cluster: false, nodes: [server.url], pids: [] },
    async () => {},
  );
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await closeLegacyDatabases();
  await server?.stop();
});

describe('session suite on a server whose password is only in REDIS_PASSWORD', () => {
  it('the URL alone is refused (the password really is needed)', async () => {
    // A bare socket: what a client that ignores REDIS_PASSWORD would be answered.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        resolve(data.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  for (const check of suite.checks.filter((c) => c.topology !== 'cluster')) {
    it(check.name, async () => {
      const result = await runCheck(suite, check, target);
      if (result.status === 'fail') throw result.error;
      expect(result.status).toBe('pass');
    });
  }
});
