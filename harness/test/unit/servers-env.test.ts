/** The file `npm run servers` writes: what it holds, and what it never holds. */
import { describe, expect, it } from 'vitest';
import { serversEnv } from '../../src/targets/servers-env.ts';

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
