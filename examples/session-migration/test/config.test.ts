import { describe, expect, it } from 'vitest';
import { DEV_SECRET, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('defaults to the cutover store, the embedded database and connect-redis key prefix', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      store: 'cutover',
      databaseUrl: undefined,
      redisPrefix: 'sess:',
      tableName: 'session',
    });
    expect(config.sessionSecret).toBe(DEV_SECRET);
    expect(config.redis).toMatchObject({ host: '127.0.0.1', port: 6379, cluster: false, tls: false });
  });

  it('resolves Redis from the same variables as the connection factory, the password shown nowhere', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://cache.internal:6380',
      REDIS_USERNAME: 'app',
      REDIS_PASSWORD: 'canary-7f3a',
      REDIS_CLUSTER: 'true',
    });
    expect(config.redis).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      username: 'app',
      tls: true,
      cluster: true,
    });
    expect(config.redis.password).toBe('canary-7f3a');
    expect(JSON.stringify(config)).not.toContain('canary-7f3a');
  });

  it('refuses a malformed REDIS_URL at start without echoing its password', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://:canary-9d2e@127.0.0.1:notaport' })).toThrow(/Invalid Redis URL/);
    expect(() => loadConfig({ REDIS_URL: 'redis://:canary-9d2e@127.0.0.1:notaport' })).not.toThrow(/canary-9d2e/);
  });

  it('rejects an unknown store and a bad number, naming the variable', () => {
    expect(() => loadConfig({ SESSION_STORE: 'mysql' })).toThrow(
      /SESSION_STORE=mysql is not one of pg, redis, cutover/,
    );
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT=eighty/);
  });

  it('writes 100 demo sessions into an empty embedded table unless DEMO_SESSIONS says otherwise', () => {
    expect(loadConfig({}).demoSessions).toBe(100);
    expect(loadConfig({ DEMO_SESSIONS: '0' }).demoSessions).toBe(0);
    expect(() => loadConfig({ DEMO_SESSIONS: 'lots' })).toThrow(/DEMO_SESSIONS=lots/);
  });

  it('requires a real secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET must be set/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's3cret-value' }).sessionSecret).toBe('s3cret-value');
  });
});
