/**
 * The Express 5 app: `POST /api/orders` behind the rate limiter, `GET /healthz` outside it (a load balancer's
 * probe must never be throttled).
 */
import { randomUUID } from 'node:crypto';
import { type RedisClient, withTimeout } from '@redis-agent-kit/patterns';
import { type RateLimiter, rateLimit } from '@redis-agent-kit/patterns/ratelimit';
import express, { type Express } from 'express';

export interface AppOptions {
  client: RedisClient;
  limiter: RateLimiter;
  /** Told about decisions Redis did not make (outage policy), for logs and metrics. */
  onOutageDecision?: (source: string, error: Error | undefined) => void;
}

export function createApp({ client, limiter, onOutageDecision }: AppOptions): Express {
  const app = express();
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', async (_req, res) => {
    try {
      // Bounded: a frozen server must not hang the probe.
      await withTimeout(client.ping(), 500, () => new Error('no PONG within 500 ms'));
      res.json({ status: 'ok', redis: 'up' });
    } catch {
      // The API still answers (the fallback limiter decides), but this instance is degraded.
      res.status(503).json({ status: 'degraded', redis: 'down' });
    }
  });

  app.post(
    '/api/orders',
    rateLimit(limiter, {
      policyName: 'orders',
      onDecision: (result) => {
        if (result.source !== 'redis') onOutageDecision?.(result.source, result.error);
      },
    }),
    (req, res) => {
      res.status(201).json({ id: randomUUID(), status: 'accepted', order: req.body ?? null });
    },
  );

  return app;
}
