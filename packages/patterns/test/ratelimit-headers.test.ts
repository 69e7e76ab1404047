import { describe, expect, it } from 'vitest';
import {
  formatRateLimit,
  formatRateLimitPolicy,
  type RateLimitResult,
  rateLimitHeaders,
} from '../src/ratelimit/index.ts';
import { sfString, toSeconds } from '../src/ratelimit/headers.ts';

const policy = { limit: 100, windowMs: 60_000 };
const allowed: RateLimitResult = {
  allowed: true,
  limit: 100,
  windowMs: 60_000,
  remaining: 57,
  resetMs: 11_200,
  resetAt: 1_700_000_011_200,
  retryAfterMs: 0,
  source: 'redis',
};
const denied: RateLimitResult = { ...allowed, allowed: false, remaining: 0, retryAfterMs: 2_300, resetMs: 59_000 };

describe('IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('formats the policy with a quoted name, quota and window in seconds', () => {
    expect(formatRateLimitPolicy('default', policy)).toBe('"default";q=100;w=60');
    expect(formatRateLimitPolicy('burst', { limit: 5, windowMs: 1500 })).toBe('"burst";q=5;w=2');
  });

  it('formats the current state with remaining units and seconds to reset', () => {
    expect(formatRateLimit('default', 57, 12)).toBe('"default";r=57;t=12');
    expect(formatRateLimit('default', -3, 0)).toBe('"default";r=0;t=0');
  });

  it('quotes policy names as Structured Fields strings and refuses non-ASCII', () => {
    expect(sfString('per "key" \\ plan')).toBe('"per \\"key\\" \\\\ plan"');
    expect(() => sfString('café')).toThrow(RangeError);
    expect(() => sfString('a\nb')).toThrow(RangeError);
  });

  it('rounds milliseconds up to whole seconds', () => {
    expect([toSeconds(0), toSeconds(1), toSeconds(1000), toSeconds(1001), toSeconds(-5)]).toEqual([0, 1, 1, 2, 0]);
  });
});

describe('rateLimitHeaders', () => {
  it('on an allowed request: X-RateLimit-* and both IETF fields, t = time to a full quota, no Retry-After', () => {
    expect(rateLimitHeaders(allowed)).toEqual({
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Remaining': '57',
      'X-RateLimit-Reset': '1700000012',
      'RateLimit-Policy': '"default";q=100;w=60',
      RateLimit: '"default";r=57;t=12',
    });
  });

  it('on a denial: Retry-After, and t names the same moment', () => {
    const headers = rateLimitHeaders(denied, { policyName: 'orders' });
    expect(headers['Retry-After']).toBe('3');
    expect(headers.RateLimit).toBe('"orders";r=0;t=3');
    expect(headers['RateLimit-Policy']).toBe('"orders";q=100;w=60');
  });

  it("every field describes the policy that decided: a fallback's share, not the configured limit", () => {
    const byFallback: RateLimitResult = { ...denied, limit: 33, windowMs: 30_000, source: 'fallback' };
    const headers = rateLimitHeaders(byFallback, { policyName: 'orders' });
    expect(headers['X-RateLimit-Limit']).toBe('33');
    expect(headers['RateLimit-Policy']).toBe('"orders";q=33;w=30');
  });

  it('a denial asks for at least one second', () => {
    expect(rateLimitHeaders({ ...denied, retryAfterMs: 0 })['Retry-After']).toBe('1');
  });

  it('leaves out the legacy or the IETF fields on request', () => {
    expect(Object.keys(rateLimitHeaders(allowed, { legacy: false }))).toEqual(['RateLimit-Policy', 'RateLimit']);
    expect(Object.keys(rateLimitHeaders(denied, { ietf: false }))).toEqual([
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Retry-After',
    ]);
  });
});
