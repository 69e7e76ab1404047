/**
 * The rate-limit tool on the patterns' limiters (`createRateLimiter`): `check` consumes `cost` for an id under a
 * named policy, `peek` reads the id's state without consuming (so with `--read-only` only `peek` is registered). A
 * decision Redis could not make is an error result, never a guess by an outage policy.
 */
import { createRateLimiter, RATE_LIMIT_ALGORITHMS } from '@redis-agent-kit/patterns/ratelimit';
import { z } from 'zod';
import { args, defineGroup, defineTool, MAX_TTL_SECONDS } from '../tool.ts';

export default defineGroup(
  'ratelimit',
  defineTool({
    name: 'ratelimit',
    summary: 'Rate limit of id under a named policy: limit per window (s).',
    bound: 'one script, one key',
    ops: {
      check: ['write', 'consume cost (default 1)'],
      peek: ['read', 'consume nothing'],
    },
    input: ({ limits }) => ({
      policy: args.name(limits),
      id: args.name(limits),
      limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      window: z.number().int().min(1).max(MAX_TTL_SECONDS),
      algorithm: z.enum(RATE_LIMIT_ALGORITHMS).optional(),
      cost: z.number().int().min(1).optional(),
    }),
    writeArgs: ['cost'],
    output: {
      allowed: z.boolean().optional(),
      remaining: z.number(),
      resetMs: z.number(),
      retryAfterMs: z.number(),
    },
    destructive: false,
    async run(input, ctx) {
      const algorithm = input.algorithm ?? 'sliding-window-counter';
      const limiter = createRateLimiter(ctx.redis, {
        algorithm,
        limit: input.limit,
        windowMs: input.window * 1000,
        prefix: `${ctx.config.service}:ratelimit:${input.policy}:${algorithm}`,
        onOutage: 'fail-closed',
      });
      if (input.op === 'peek') {
        const { remaining, resetMs, retryAfterMs } = await limiter.peek(input.id);
        return { remaining, resetMs, retryAfterMs };
      }
      const { allowed, remaining, resetMs, retryAfterMs, error } = await limiter.limit(input.id, input.cost);
      if (error) throw error;
      return { allowed, remaining, resetMs, retryAfterMs };
    },
  }),
);
