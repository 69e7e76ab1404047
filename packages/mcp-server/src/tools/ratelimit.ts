/**
 * Seed 001's rate-limit check on the patterns' limiters (`createRateLimiter`): consume `cost` for an id under a
 * named policy. The limiters have no read-only look, so the tool has one write op and is not registered in
 * read-only mode. A decision Redis could not make is an error result, never a guess by an outage policy.
 */
import { createRateLimiter, RATE_LIMIT_ALGORITHMS } from '@redis-agent-kit/patterns/ratelimit';
import { z } from 'zod';
import { defineGroup, defineTool } from '../tool.ts';

export default defineGroup(
  'ratelimit',
  defineTool({
    name: 'ratelimit',
    summary: 'Consume cost (default 1) for id under a named policy: limit per window (seconds).',
    ops: { check: ['write', ''] },
    input: () => ({
      policy: z.string(),
      id: z.string(),
      limit: z.number().int().min(1),
      window: z.number().int().min(1),
      algorithm: z.enum(RATE_LIMIT_ALGORITHMS).optional(),
      cost: z.number().int().min(1).optional(),
    }),
    output: {
      allowed: z.boolean(),
      remaining: z.number(),
      resetMs: z.number(),
      retryAfterMs: z.number(),
    },
    destructive: false,
    async run(input, ctx) {
      const algorithm = input.algorithm ?? 'sliding-window-counter';
      const limiter = createRateLimiter(ctx.redis, algorithm, {
        limit: input.limit,
        windowMs: input.window * 1000,
        prefix: `${ctx.config.service}:ratelimit:${input.policy}:${algorithm}`,
        onOutage: 'fail-closed',
      });
      const { allowed, remaining, resetMs, retryAfterMs, error } = await limiter.limit(input.id, input.cost);
      if (error) throw error;
      return { allowed, remaining, resetMs, retryAfterMs };
    },
  }),
);
