import { describe, expect, it } from 'vitest';
import { InMemoryRateLimiter } from '../src/ratelimit/index.ts';
import { decideWithoutRedis, outageError, RateLimiterKeyError } from '../src/ratelimit/outage.ts';

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
    // The decisions describe the fallback's policy, the one in force.
    expect(decisions.every((d) => d.limit === 2 && d.windowMs === 60_000)).toBe(true);
  });

  it("a cost above the fallback's limit is denied under the fallback's policy, never rejected", async () => {
    const fallback = new InMemoryRateLimiter({ limit: 3, windowMs: 60_000 });
    const result = await decideWithoutRedis({ fallback }, policy, 'k', 5, error);
    expect(result).toMatchObject({ allowed: false, limit: 3, source: 'fallback', retryAfterMs: 1000 });
  });

  it('a WRONGTYPE becomes a RateLimiterKeyError naming the key and the fix; other errors stay as they are', () => {
    const wrongType = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    const reported = outageError(wrongType, 'orders:{k}', 'gcra');
    expect(reported).toBeInstanceOf(RateLimiterKeyError);
    expect(reported.message).toContain('"orders:{k}"');
    expect(reported.message).toContain('prefix of its own');
    expect(reported.cause).toBe(wrongType);
    expect(outageError(error, 'orders:{k}', 'gcra')).toBe(error);
  });
});
