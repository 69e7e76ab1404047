import { describe, expect, it } from 'vitest';
import {
  defaultRateLimitKey,
  InMemoryRateLimiter,
  type RateLimiter,
  type RateLimitResponse,
  rateLimit,
} from '../src/ratelimit/index.ts';

/** A response recorder with the three members the middleware uses. */
function recorder() {
  const out = { status: 200, headers: {} as Record<string, string>, body: undefined as unknown };
  const res: RateLimitResponse = {
    setHeader(name, value) {
      out.headers[name] = value;
    },
    status(code) {
      out.status = code;
      return res;
    },
    json(body) {
      out.body = body;
    },
  };
  return { res, out };
}

async function run(limiter: RateLimiter, headers: Record<string, string> = {}, cost?: number) {
  const { res, out } = recorder();
  let nextCalls = 0;
  let nextError: unknown;
  const options = cost === undefined ? {} : { costFor: () => cost };
  await rateLimit(limiter, options)({ headers, ip: '203.0.113.7' }, res, (error) => {
    nextCalls++;
    nextError = error;
  });
  return { ...out, nextCalls, nextError };
}

describe('defaultRateLimitKey', () => {
  it('hashes the API key (a secret never becomes a key name) and falls back to the IP', () => {
    const key = defaultRateLimitKey({ headers: { 'x-api-key': 'sk_live_secret' } });
    expect(key).toMatch(/^key:[0-9a-f]{32}$/);
    expect(key).not.toContain('secret');
    expect(defaultRateLimitKey({ headers: { 'x-api-key': 'sk_live_secret' } })).toBe(key);
    expect(defaultRateLimitKey({ headers: {}, ip: '198.51.100.1' })).toBe('ip:198.51.100.1');
    expect(defaultRateLimitKey({ headers: {}, socket: { remoteAddress: '::1' } })).toBe('ip:::1');
  });
});

describe('rateLimit middleware', () => {
  it('passes allowed requests on with headers, then answers 429 with a JSON body and Retry-After', async () => {
    // A clock that stands still: with the real one, a stall of a second between calls would turn t=30 into 29.
    const limiter = new InMemoryRateLimiter({ limit: 2, windowMs: 60_000, now: () => 1_000_000 });
    const first = await run(limiter, { 'x-api-key': 'k1' });
    expect(first).toMatchObject({ status: 200, nextCalls: 1, nextError: undefined });
    expect(first.headers['X-RateLimit-Remaining']).toBe('1');
    expect(first.headers.RateLimit).toBe('"default";r=1;t=30');
    await run(limiter, { 'x-api-key': 'k1' });
    const third = await run(limiter, { 'x-api-key': 'k1' });
    expect(third.status).toBe(429);
    expect(third.nextCalls).toBe(0);
    expect(third.headers['Retry-After']).toBe('30');
    expect(third.headers.RateLimit).toBe('"default";r=0;t=30');
    expect(third.body).toMatchObject({ error: 'rate_limited', limit: 2, retryAfterSeconds: 30 });
    expect((await run(limiter, { 'x-api-key': 'k2' })).status).toBe(200);
  });

  it('answers 503 when the fail-closed outage policy denied', async () => {
    const limiter: RateLimiter = {
      policy: { limit: 5, windowMs: 1000 },
      limit: async () => ({
        allowed: false,
        limit: 5,
        windowMs: 1000,
        remaining: 0,
        resetMs: 1000,
        resetAt: Date.now() + 1000,
        retryAfterMs: 1000,
        source: 'fail-closed',
      }),
    };
    const result = await run(limiter);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ error: 'rate_limiter_unavailable' });
  });

  it('answers 400 with a JSON body for a cost that is not a whole number from 1 to the limit, consuming nothing', async () => {
    const limiter = new InMemoryRateLimiter({ limit: 5, windowMs: 60_000 });
    for (const cost of [0, -1, 1.5, Number.NaN, 1e9, 6, Number.POSITIVE_INFINITY]) {
      const result = await run(limiter, { 'x-api-key': 'k' }, cost);
      expect(result, String(cost)).toMatchObject({ status: 400, nextCalls: 0, body: { error: 'invalid_cost' } });
      expect((result.body as { message: string }).message).toContain(`got ${cost}`);
      expect(result.headers).toEqual({});
    }
    expect((await run(limiter, { 'x-api-key': 'k' }, 5)).headers['X-RateLimit-Remaining']).toBe('0');
  });

  it('the 429 names the policy that decided', async () => {
    const fallbackShare: RateLimiter = {
      policy: { limit: 100, windowMs: 60_000 },
      limit: async () => ({
        allowed: false,
        limit: 33,
        windowMs: 60_000,
        remaining: 0,
        resetMs: 1800,
        resetAt: Date.now() + 1800,
        retryAfterMs: 1800,
        source: 'fallback',
      }),
    };
    const result = await run(fallbackShare);
    expect(result.status).toBe(429);
    expect(result.headers['X-RateLimit-Limit']).toBe('33');
    expect(result.headers['RateLimit-Policy']).toBe('"default";q=33;w=60');
    expect(result.body).toMatchObject({ limit: 33, message: expect.stringContaining('the limit is 33 per 60 s') });
  });

  it('hands an error of the key function to next()', async () => {
    const limiter = new InMemoryRateLimiter({ limit: 2, windowMs: 60_000 });
    const failure = new Error('no tenant');
    let seen: unknown;
    const { res } = recorder();
    await rateLimit(limiter, {
      keyFor: () => {
        throw failure;
      },
    })({ headers: {} }, res, (error) => {
      seen = error;
    });
    expect(seen).toBe(failure);
  });
});
