import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionSettings } from '../src/connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'rak-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connectionSettings', () => {
  it('resolves the environment as connect() does and hands the password over only by name', () => {
    const secret = 'pw-Zq81xk-canary';
    const settings = connectionSettings({
      env: { REDIS_URL: 'redis://cache.internal:6380/2', REDIS_USERNAME: 'app', REDIS_PASSWORD: secret },
    });
    expect(settings).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      db: 2,
      username: 'app',
      tls: false,
      cluster: false,
    });
    expect(settings.password).toBe(secret);
    for (const shown of [
      JSON.stringify(settings),
      inspect(settings, { depth: 5 }),
      String(settings),
      JSON.stringify({ ...settings }),
    ]) {
      expect(shown).not.toContain(secret);
    }
  });

  it('the URL password wins over REDIS_PASSWORD, as in the factory; the display never shows it', () => {
    const settings = connectionSettings({ url: 'redis://u:from-url@h:1', env: { REDIS_PASSWORD: 'from-env' } });
    expect(settings.password).toBe('from-url');
    expect(settings.display).toBe('redis://u:***@h:1');
  });

  it('reads TLS files for rediss:// and keeps the key material out of every rendering', () => {
    const key = join(dir, 'client.key');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n');
    const settings = connectionSettings({
      env: { REDIS_URL: 'rediss://h:6390', REDIS_TLS_KEY: key, REDIS_CLUSTER: 'true' },
    });
    expect(settings).toMatchObject({ tls: true, cluster: true, seeds: [{ host: 'h', port: 6390 }] });
    expect(String(settings.tlsOptions?.key)).toContain('secret-key-material');
    expect(inspect(settings, { depth: 5 }) + JSON.stringify(settings)).not.toContain('secret-key-material');
  });
});
