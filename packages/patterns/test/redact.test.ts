import { describe, expect, it } from 'vitest';
import { connect, connectionTarget, RedisConnectionError, redactError, redactText, redactUrl } from '../src/index.ts';
import { resolveConnection } from '../src/connection.ts';

describe('redaction', () => {
  it('hides the password of redis, rediss and postgres URLs and keeps the rest', () => {
    expect(redactUrl('redis://app:s3cret@db.internal:6379/0')).toBe('redis://app:***@db.internal:6379/0');
    expect(redactUrl('rediss://:p%40ss@h:6380')).toBe('rediss://:***@h:6380');
    expect(redactUrl('postgres://u:pw@h/db and redis://h:1')).toBe('postgres://u:***@h/db and redis://h:1');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('hides known secrets anywhere in a text and in copied errors', () => {
    expect(redactText('AUTH failed for hunter22!', ['hunter22'])).toBe('AUTH failed for ***!');
    const error = Object.assign(new Error('bad password hunter22'), { code: 'EAUTH' });
    const copy = redactError(error, ['hunter22']);
    expect(copy.message).toBe('bad password ***');
    expect(copy.stack).not.toContain('hunter22');
    expect((copy as Error & { code?: string }).code).toBe('EAUTH');
  });
});

describe('connection options', () => {
  it('takes credentials from the URL, else from the environment', () => {
    const env = { REDIS_USERNAME: 'envuser', REDIS_PASSWORD: 'envpass' };
    expect(resolveConnection({ url: 'redis://u:p@h:7000/2', env })).toMatchObject({
      host: 'h',
      port: 7000,
      db: 2,
      username: 'u',
      password: 'p',
    });
    expect(resolveConnection({ url: 'redis://h', env })).toMatchObject({
      port: 6379,
      username: 'envuser',
      password: 'envpass',
      tls: undefined,
    });
    expect(resolveConnection({ url: 'rediss://h:6380', env: {} }).tls).toMatchObject({ rejectUnauthorized: true });
    expect(resolveConnection({ env: { REDIS_URL: 'redis://x:1', REDIS_CLUSTER: 'true' } })).toMatchObject({
      host: 'x',
      cluster: true,
    });
  });

  it.each([
    ['http://u:topsecret@h', /must start with redis:\/\/ or rediss:\/\/ \(TLS\), got one starting "http:\/\/"/],
    ['redis:/u:topsecret@h', /got one starting "redis:\/"/],
    ['redis://u:top@secret@h:99999', /Invalid Redis URL "redis:\/\/\*\*\*@h:99999"/],
    ['redis://u:top secret@h:99999', /Invalid Redis URL "redis:\/\/\*\*\*@h:99999"/],
    ['redis://u:topsecret@h/x', /Invalid Redis URL "redis:\/\/u:\*\*\*@h\/x": the database must be a number/],
  ])('refuses %s with a message that shows no password', (url, message) => {
    for (const parse of [resolveConnection, connectionTarget]) {
      const error = (() => {
        try {
          parse({ url });
        } catch (e) {
          return e as RedisConnectionError;
        }
      })();
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect(error?.message).toMatch(message);
      expect(`${error?.message} ${error?.target}`).not.toMatch(/secret/);
    }
  });

  it('says where a connection goes without its credentials', () => {
    const target = connectionTarget({ url: 'rediss://app:p@ss@db.internal:6380/3', env: { REDIS_CLUSTER: 'yes' } });
    expect(target).toEqual({
      host: 'db.internal',
      port: 6380,
      db: 3,
      tls: true,
      cluster: true,
      display: 'rediss://app:***@db.internal:6380/3',
    });
    expect(JSON.stringify(target)).not.toContain('ss@');
    expect(connectionTarget({ env: {} })).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: false,
      cluster: false,
      display: 'redis://127.0.0.1:6379',
    });
    expect(
      connectionTarget({ env: { REDIS_URL: 'redis://[::1]:7000', REDIS_CLUSTER: 'true' }, cluster: false }),
    ).toMatchObject({
      host: '::1',
      display: 'redis://[::1]:7000',
      cluster: false,
    });
  });

  it('fails to connect to a closed port with one redacted error, after finite attempts', async () => {
    const error = await connect({ url: 'redis://app:hunter22secret@127.0.0.1:1', connectAttempts: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as Error).message).toMatch(/^Cannot connect to redis:\/\/app:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(JSON.stringify(error) + (error as Error).message + (error as Error).stack).not.toContain('hunter22secret');
  });
});
