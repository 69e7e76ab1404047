/**
 * Express (or any connect-style framework) middleware, typed against the few request and response members it
 * uses, so patterns does not depend on Express at runtime. Allowed requests get the rate-limit headers and go
 * on; denied ones get 429 with a JSON body and `Retry-After`. A denial by the fail-closed outage policy is a
 * 503 instead: the client did nothing wrong, the limiter could not decide. A cost from `costFor` that is not a
 * whole number from 1 to the limit (0, -1, 1.5, NaN, or more than the limit, which no wait would ever admit) is
 * the client's request asking for the impossible: 400 with a JSON body, and nothing is consumed.
 */
import { createHash } from 'node:crypto';
import { type RateLimitHeaderOptions, rateLimitHeaders, retryAfterSeconds, toSeconds } from './headers.ts';
import { costProblem, type RateLimiter, type RateLimitResult } from './types.ts';

export interface RateLimitRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string | undefined;
  socket?: { remoteAddress?: string | undefined };
}

export interface RateLimitResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): RateLimitResponse;
  json(body: unknown): unknown;
}

export type RateLimitNext = (error?: unknown) => void;

export interface RateLimitMiddlewareOptions<Req extends RateLimitRequest> extends RateLimitHeaderOptions {
  /** The id to limit by. Default: `defaultRateLimitKey` (the X-API-Key header, else the client IP). */
  keyFor?: (req: Req) => string | Promise<string>;
  /** Units a request costs: a whole number from 1 to the limit, else the request gets 400. Default 1. */
  costFor?: (req: Req) => number;
  /** Sees every decision, e.g. to log or count outage decisions (`result.source !== 'redis'`). */
  onDecision?: (result: RateLimitResult, req: Req) => void;
}

/**
 * `key:<sha256 of the X-API-Key header>` when the header is present, else `ip:<address>`. The API key is hashed
 * so that a secret never becomes a Redis key name (visible to SCAN, MONITOR, slow logs and key audits).
 */
export function defaultRateLimitKey(req: RateLimitRequest): string {
  const header = req.headers['x-api-key'];
  const apiKey = Array.isArray(header) ? header[0] : header;
  if (apiKey) return `key:${createHash('sha256').update(apiKey).digest('hex').slice(0, 32)}`;
  return `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
}

export function rateLimit<Req extends RateLimitRequest = RateLimitRequest>(
  limiter: RateLimiter,
  options: RateLimitMiddlewareOptions<Req> = {},
): (req: Req, res: RateLimitResponse, next: RateLimitNext) => Promise<void> {
  const keyFor = options.keyFor ?? defaultRateLimitKey;
  return async (req, res, next) => {
    let result: RateLimitResult;
    try {
      const cost = options.costFor?.(req) ?? 1;
      const problem = costProblem(cost, limiter.policy);
      if (problem) {
        res.status(400).json({ error: 'invalid_cost', message: `This request cannot be rate-limited: ${problem}.` });
        return;
      }
      result = await limiter.limit(await keyFor(req), cost);
    } catch (error) {
      next(error);
      return;
    }
    options.onDecision?.(result, req);
    for (const [name, value] of Object.entries(rateLimitHeaders(result, options))) {
      res.setHeader(name, value);
    }
    if (result.allowed) {
      next();
      return;
    }
    const retryAfter = retryAfterSeconds(result);
    if (result.source === 'fail-closed') {
      res.status(503).json({
        error: 'rate_limiter_unavailable',
        message: `The rate limiter cannot reach its store; retry in ${retryAfter} s.`,
        retryAfterSeconds: retryAfter,
      });
      return;
    }
    res.status(429).json({
      error: 'rate_limited',
      message: `Too many requests: the limit is ${result.limit} per ${toSeconds(result.windowMs)} s; retry in ${retryAfter} s.`,
      limit: result.limit,
      retryAfterSeconds: retryAfter,
    });
  };
}
