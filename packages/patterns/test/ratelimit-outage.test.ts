import { describe, expect, it } from 'vitest';
import { InMemoryRateLimiter, RateLimiterTimeoutError } from '../src/ratelimit/index.ts';
import { decideWithoutRedis, timeoutError } from '../src/ratelimit/outage.ts';
import { withTimeout } from '../src/timeout.ts';

const policy = { limit: 10, windowMs: 60_000 };
const error = new Error('connection refused');

describe('outage policies', () => {
  it('fail-open allows and says so', async () => {
    const result = await decideWithoutRedis('fail-open', policy, 'k', 2, error);
    expect(result).toMatchObject({ allowed: true, remaining: 8, source: 'fail-open', retryAfterMs: 0 });
    expect(result.error).toBe(error);
  });

  it('fail-closed denies with a short retry-after', async () => {
    const result = await decideWithoutRedis('fail-closed', policy, 'k', 1, error);
    expect(result).toMatchObject({ allowed: false, remaining: 0, source: 'fail-closed', retryAfterMs: 1000 });
  });

  it('a fallback limiter decides, and the result names the fallback', async () => {
    const fallback = new InMemoryRateLimiter({ limit: 2, windowMs: 60_000 });
    const outage = { fallback };
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await decideWithoutRedis(outage, policy, 'k', 1, error));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions.every((d) => d.source === 'fallback' && d.error === error)).toBe(true);
  });
});

describe('withTimeout', () => {
  it('passes a prompt answer through', async () => {
    await expect(withTimeout(Promise.resolve(42), 50, timeoutError('x', 50))).resolves.toBe(42);
  });

  it('rejects a promise that never settles', async () => {
    await expect(withTimeout(new Promise(() => {}), 10, timeoutError('rate limiter gcra', 10))).rejects.toThrow(RateLimiterTimeoutError);
  });
});
