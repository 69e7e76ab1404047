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
  });

  it('rejects an unknown store and a bad number, naming the variable', () => {
    expect(() => loadConfig({ SESSION_STORE: 'mysql' })).toThrow(
      /SESSION_STORE=mysql is not one of pg, redis, cutover/,
    );
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT=eighty/);
  });

  it('requires a real secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET must be set/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's3cret-value' }).sessionSecret).toBe('s3cret-value');
  });
});
