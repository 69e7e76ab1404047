/**
 * Response header fields for a rate-limit decision:
 * - the IETF fields of draft-ietf-httpapi-ratelimit-headers (draft-10/11): `RateLimit-Policy: "default";q=100;w=60`
 *   (quota and window in seconds) and `RateLimit: "default";r=57;t=12` (remaining and seconds to reset), the
 *   policy name being a Structured Fields string (RFC 8941);
 * - the de facto `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix time in seconds, as
 *   GitHub sends it), which most clients still read;
 * - `Retry-After` (seconds) on a denial. The draft says its `t` should then name the same moment, so `t` is the
 *   retry-after time on a denial and the time to a full quota otherwise.
 * Every field describes the policy that made the decision (its `limit` and `windowMs`): during an outage that is
 * the fallback limiter's, so the fields never mix two policies.
 */
import type { RateLimitPolicy, RateLimitResult } from './types.ts';

export interface RateLimitHeaderOptions {
  /** The policy name in the IETF fields. Default `default`. */
  policyName?: string;
  /** Send `RateLimit-Policy` and `RateLimit`. Default true. */
  ietf?: boolean;
  /** Send `X-RateLimit-Limit/Remaining/Reset`. Default true. */
  legacy?: boolean;
}

/** A Structured Fields sf-string: printable ASCII in double quotes, with `"` and `\` escaped. */
export function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw new RangeError(`a Structured Fields string holds printable ASCII only, got ${JSON.stringify(value)}`);
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Whole seconds, rounded up: a client waiting the rounded-down time would come back too early. */
export function toSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/** The seconds a denial asks the client to wait: at least one, since Retry-After: 0 would invite an immediate retry. */
export function retryAfterSeconds(result: RateLimitResult): number {
  return Math.max(1, toSeconds(result.retryAfterMs));
}

export function formatRateLimitPolicy(name: string, policy: RateLimitPolicy): string {
  return `${sfString(name)};q=${policy.limit};w=${toSeconds(policy.windowMs)}`;
}

export function formatRateLimit(name: string, remaining: number, resetSeconds: number): string {
  return `${sfString(name)};r=${Math.max(0, remaining)};t=${resetSeconds}`;
}

export function rateLimitHeaders(
  result: RateLimitResult,
  options: RateLimitHeaderOptions = {},
): Record<string, string> {
  const name = options.policyName ?? 'default';
  const headers: Record<string, string> = {};
  const retryAfter = retryAfterSeconds(result);
  if (options.legacy ?? true) {
    headers['X-RateLimit-Limit'] = String(result.limit);
    headers['X-RateLimit-Remaining'] = String(Math.max(0, result.remaining));
    headers['X-RateLimit-Reset'] = String(toSeconds(result.resetAt));
  }
  if (options.ietf ?? true) {
    headers['RateLimit-Policy'] = formatRateLimitPolicy(name, { limit: result.limit, windowMs: result.windowMs });
    headers.RateLimit = formatRateLimit(
      name,
      result.remaining,
      result.allowed ? toSeconds(result.resetMs) : retryAfter,
    );
  }
  if (!result.allowed) headers['Retry-After'] = String(retryAfter);
  return headers;
}
