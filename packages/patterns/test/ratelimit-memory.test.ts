import { describe, expect, it } from 'vitest';
import { InMemoryRateLimiter } from '../src/ratelimit/index.ts';

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('InMemoryRateLimiter (GCRA)', () => {
  it('allows a burst of limit, then one unit per window/limit', async () => {
    const { state, now } = clock();
    const limiter = new InMemoryRateLimiter({ limit: 4, windowMs: 1000, now });
    const burst = [];
    for (let i = 0; i < 5; i++) burst.push(await limiter.limit('k'));
    expect(burst.map((r) => r.allowed)).toEqual([true, true, true, true, false]);
    expect(burst.map((r) => r.remaining)).toEqual([3, 2, 1, 0, 0]);
    expect(burst[4]?.retryAfterMs).toBe(250);
    expect(burst[3]?.resetMs).toBe(1000);
    state.now += 249;
    expect((await limiter.limit('k')).allowed).toBe(false);
    state.now += 1;
    expect((await limiter.limit('k')).allowed).toBe(true);
  });

  it('counts remaining units exactly when window/limit is not a whole number', async () => {
    const { now } = clock();
    const limiter = new InMemoryRateLimiter({ limit: 33, windowMs: 60_000, now });
    const remaining = [];
    for (let i = 0; i < 33; i++) remaining.push((await limiter.limit('k')).remaining);
    expect(remaining).toEqual(Array.from({ length: 33 }, (_, i) => 32 - i));
  });

  it('charges weighted requests and denies a cost that does not fit without consuming it', async () => {
    const { now } = clock();
    const limiter = new InMemoryRateLimiter({ limit: 10, windowMs: 10_000, now });
    expect((await limiter.limit('k', 7)).remaining).toBe(3);
    const denied = await limiter.limit('k', 4);
    expect(denied.allowed).toBe(false);
    expect(denied.remaining).toBe(3);
    expect(denied.retryAfterMs).toBe(1000);
    expect((await limiter.limit('k', 3)).allowed).toBe(true);
    await expect(limiter.limit('k', 11)).rejects.toThrow(RangeError);
    await expect(limiter.limit('k', 0)).rejects.toThrow(RangeError);
  });

  it('keeps ids apart and forgets ids whose quota is full again', async () => {
    const { state, now } = clock();
    const limiter = new InMemoryRateLimiter({ limit: 1, windowMs: 100, now });
    expect((await limiter.limit('a')).allowed).toBe(true);
    expect((await limiter.limit('b')).allowed).toBe(true);
    expect((await limiter.limit('a')).allowed).toBe(false);
    state.now += 100;
    for (let i = 0; i < 1000; i++) await limiter.limit('c');
    expect(limiter.size).toBe(1);
  });

  it('follows a denial by Redis: denies the cost until its retry-after, and never shortens a wait', async () => {
    const { state, now } = clock();
    const limiter = new InMemoryRateLimiter({ limit: 10, windowMs: 10_000, now });
    limiter.denyFor('k', 1, 5000);
    const denied = await limiter.limit('k');
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 5000 });
    limiter.denyFor('k', 1, 10);
    expect((await limiter.limit('k')).retryAfterMs).toBe(5000);
    state.now += 5000;
    expect((await limiter.limit('k')).allowed).toBe(true);
    expect((await limiter.limit('other')).allowed).toBe(true);
  });

  it('keeps at most maxIds ids, forgetting the oldest', async () => {
    const { now } = clock();
    const limiter = new InMemoryRateLimiter({ limit: 1, windowMs: 60_000, now, maxIds: 3 });
    for (const id of ['a', 'b', 'c', 'd']) await limiter.limit(id);
    expect(limiter.size).toBe(3);
    expect((await limiter.limit('a')).allowed).toBe(true);
    expect((await limiter.limit('d')).allowed).toBe(false);
    expect(() => new InMemoryRateLimiter({ limit: 1, windowMs: 1, maxIds: 0 })).toThrow(RangeError);
  });

  it('refuses a policy that is not two positive integers', () => {
    expect(() => new InMemoryRateLimiter({ limit: 0, windowMs: 1000 })).toThrow(RangeError);
    expect(() => new InMemoryRateLimiter({ limit: 10, windowMs: 0.5 })).toThrow(RangeError);
  });
});
