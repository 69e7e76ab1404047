/** The file `npm run servers` writes: what it holds, and what it never holds. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveServers, parseServersEnv, serversEnv, targetUrlVariable } from '../../src/targets/servers-env.ts';

describe('serversEnv', () => {
  it('writes REDIS_URL, REDIS_TARGETS and one variable per target, and never a password', () => {
    const env = serversEnv(
      [
        {
          name: 'redis-cluster',
          url: 'redis://127.0.0.1:7000',
          cluster: true,
          nodes: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'],
        },
        {
          name: 'prod',
          url: 'rediss://app:s3cret@cache.internal:6380',
          cluster: false,
          nodes: ['rediss://app:s3cret@cache.internal:6380'],
        },
      ],
      42,
    );
    expect(env).not.toContain('s3cret');
    expect(env.split('\n')).toEqual([
      '# Written by npm run servers (pid 42); deleted when it stops. Load with: set -a; . <this file>; set +a',
      '# Passwords are left out of these URLs: set REDIS_PASSWORD (and REDIS_USERNAME) yourself.',
      'REDIS_URL=rediss://app@cache.internal:6380',
      'REDIS_TARGETS=redis-cluster=redis://127.0.0.1:7000,prod=rediss://app@cache.internal:6380',
      'RAK_REDIS_CLUSTER_URL=redis://127.0.0.1:7000',
      'RAK_REDIS_CLUSTER_NODES=redis://127.0.0.1:7000,redis://127.0.0.1:7001',
      'RAK_PROD_URL=rediss://app@cache.internal:6380',
      '',
    ]);
  });
});

describe('reading servers.env back (npm run example)', () => {
  const file = (pid: number) =>
    serversEnv(
      [
        { name: 'redis-8', url: 'redis://127.0.0.1:6379', cluster: false, nodes: ['redis://127.0.0.1:6379'] },
        {
          name: 'redis-cluster',
          url: 'redis://127.0.0.1:7000',
          cluster: true,
          nodes: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'],
        },
      ],
      pid,
    );

  it('gets the writer and every assignment of what serversEnv wrote', () => {
    const parsed = parseServersEnv(file(4242));
    expect(parsed?.pid).toBe(4242);
    expect(parsed?.vars).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      [targetUrlVariable('redis-8')]: 'redis://127.0.0.1:6379',
      RAK_REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7000,redis://127.0.0.1:7001',
    });
    expect(targetUrlVariable('valkey-8.1')).toBe('RAK_VALKEY_8_1_URL');
    expect(parseServersEnv('REDIS_URL=redis://elsewhere:6379\n')).toBeUndefined();
  });

  it('uses a file only while the npm run servers that wrote it runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rak-servers-env-'));
    try {
      const path = join(dir, 'servers.env');
      expect(liveServers(path)).toEqual({ missing: `no ${path}` });
      writeFileSync(path, file(process.pid));
      expect(liveServers(path)).toMatchObject({ pid: process.pid });
      // A pid no process has (above the kernel's pid_max): what a SIGKILLed npm run servers leaves behind.
      writeFileSync(path, file(2 ** 30));
      expect(liveServers(path)).toEqual({
        missing: `${path} is stale (its npm run servers, pid ${2 ** 30}, is gone)`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
