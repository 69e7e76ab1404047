/**
 * The session repository (packages/patterns/src/session/repository.ts) on every target, in both formats (the JSON
 * one where the server has JSON): data round trips, a TTL on every session, merges that keep the TTL and lose no
 * concurrent field, nothing recreated after expiry, and refused input that stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { createSessionRepository, type SessionFormat } from '@redis-agent-kit/patterns/session';
import { describe, expect, it, type TestContext } from 'vitest';
import { clientFor, targets } from '../src/vitest/index.ts';

const FORMATS: SessionFormat[] = ['hash', 'json'];

for (const t of targets()) {
  for (const format of FORMATS) {
    describe(`session repository (${format}) on ${t.name}`, () => {
      const prefix = `rak:test:sessions:${randomBytes(4).toString('hex')}:`;
      /** A repository on this target, or a skip naming the capability the format needs. */
      const open = async (ctx: TestContext, maxValueBytes?: number) => {
        if (format === 'json' && !t.capabilities.json) ctx.skip('capability missing: JSON (JSON.SET)');
        const client = await clientFor(t);
        return { client, sessions: createSessionRepository(client, { prefix, format, maxValueBytes }) };
      };

      it('stores any JSON data under a TTL and reads it back with the time left', async (ctx) => {
        const { client, sessions } = await open(ctx);
        const data = {
          user: 'ada',
          'name with spaces': 'é ☃ \u0000 zero',
          nested: { list: [1, 2.5, -3e-7, 9007199254740991], empty: {}, none: [] },
          nothing: null,
          yes: true,
        };
        Object.defineProperty(data, '__proto__', { value: 'not a prototype', enumerable: true });
        const created = await sessions.create(data, 120);
        expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
        const pttl = await client.pttl(sessions.key(created.id));
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(120_000);

        const read = await sessions.get(created.id);
        expect(read?.data).toEqual(data);
        expect(Object.getPrototypeOf(read?.data)).toBe(Object.prototype);
        expect(read?.createdAt).toBe(created.createdAt);
        expect(read?.updatedAt).toBeUndefined();
        expect(read?.ttlSeconds).toBeGreaterThan(0);
        expect(read?.ttlSeconds).toBeLessThanOrEqual(120);
        expect(await sessions.destroy(created.id)).toBe(true);
      });

      it('merges or replaces data, keeping the TTL the session has', async (ctx) => {
        const { client, sessions } = await open(ctx);
        const { id } = await sessions.create({ user: 'u1', n: 1 }, 120);
        const key = sessions.key(id);
        await client.expire(key, 30);

        const left = await sessions.update(id, { n: 2, added: 'yes' });
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(30);
        const merged = await sessions.get(id);
        expect(merged?.data).toEqual({ user: 'u1', n: 2, added: 'yes' });
        expect(merged?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

        expect(await sessions.update(id, { only: true }, { replace: true })).toBeLessThanOrEqual(30);
        expect((await sessions.get(id))?.data).toEqual({ only: true });
        const ttl = await client.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30);
        await sessions.destroy(id);
      });

      it('loses no field when many updates merge at once', async (ctx) => {
        const { sessions } = await open(ctx);
        const { id } = await sessions.create({}, 120);
        await Promise.all(Array.from({ length: 40 }, (_, i) => sessions.update(id, { [`f${i}`]: i })));
        const data = (await sessions.get(id))?.data ?? {};
        expect(Object.keys(data)).toHaveLength(40);
        expect(data.f39).toBe(39);
        await sessions.destroy(id);
      });

      it('never recreates a session that is gone: update, touch and get answer "not found" and write nothing', async (ctx) => {
        const { client, sessions } = await open(ctx);
        const { id } = await sessions.create({ a: 1 }, 120);
        expect(await sessions.destroy(id)).toBe(true);
        expect(await sessions.destroy(id)).toBe(false);
        expect(await sessions.update(id, { a: 2 })).toBeNull();
        expect(await sessions.update(id, { a: 2 }, { replace: true })).toBeNull();
        expect(await sessions.touch(id, 60)).toBe(false);
        expect(await sessions.get(id)).toBeNull();
        expect(await client.exists(sessions.key(id))).toBe(0);
      });

      it('gives a session a new lifetime with touch', async (ctx) => {
        const { client, sessions } = await open(ctx);
        const { id } = await sessions.create({}, 10);
        expect(await sessions.touch(id, 5000)).toBe(true);
        expect(await client.ttl(sessions.key(id))).toBeGreaterThan(10);
        await sessions.destroy(id);
      });

      it('refuses bad input before sending anything, and stores nothing', async (ctx) => {
        const { client, sessions } = await open(ctx, 1000);
        const { id } = await sessions.create({ keep: 1 }, 120);
        await expect(sessions.create({ blob: 'x'.repeat(1000) }, 60)).rejects.toThrow(/over the 1000-byte limit/);
        await expect(sessions.update(id, { blob: 'x'.repeat(1000) })).rejects.toThrow(/over the 1000-byte limit/);
        // In the hash format `_meta` holds the session's metadata: data under that name would corrupt it.
        await expect(sessions.update(id, { _meta: 'x' })).rejects.toThrow(/_meta \(reserved\)/);
        await expect(sessions.create({}, 0)).rejects.toThrow(/TTL of at least 1 second/);
        await expect(sessions.touch(id, 0)).rejects.toThrow(/TTL of at least 1 second/);
        await expect(sessions.get('')).rejects.toThrow(/1 to 256 bytes/);
        await expect(sessions.get('x'.repeat(257))).rejects.toThrow(/1 to 256 bytes/);
        await expect(sessions.create([1] as unknown as Record<string, unknown>, 60)).rejects.toThrow(
          /must be an object/,
        );
        expect((await sessions.get(id))?.data).toEqual({ keep: 1 });
        expect(await client.ttl(sessions.key(id))).toBeGreaterThan(0);
        await sessions.destroy(id);
      });

      if (format === 'hash')
        it('reads a hash that is not a session as no session, and leaves it alone', async (ctx) => {
          const { client, sessions } = await open(ctx);
          const key = sessions.key('foreign');
          await client.hset(key, 'field', 'not json');
          await client.expire(key, 60);
          expect(await sessions.get('foreign')).toBeNull();
          expect(await sessions.update('foreign', { a: 1 })).toBeNull();
          expect(await client.hgetall(key)).toEqual({ field: 'not json' });
          await client.unlink(key);
        });
    });
  }
}
