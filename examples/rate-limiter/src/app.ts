/**
 * The Express 5 app: `POST /api/orders` (one unit) and `POST /api/orders/batch?count=N` (N units) behind the rate
 * limiter, `GET /healthz` outside it (a load balancer's probe must never be throttled).
 *
 * The limiter runs before the body is parsed, so a client over its quota costs no parsing, and a flood of bodies
 * gets 429 rather than reaching the JSON parser. Every error is JSON without a stack trace or a file path; the
 * `X-Powered-By` header is off.
 */
import { randomUUID } from 'node:crypto';
import { type RedisClient, withTimeout } from '@redis-agent-kit/patterns';
import { type RateLimitResult, type RedisRateLimiter, rateLimit } from '@redis-agent-kit/patterns/ratelimit';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

export interface AppOptions {
  client: RedisClient;
  limiter: RedisRateLimiter;
  /** Express' `trust proxy` (see config.ts: a hop count or proxy addresses); default: trust no proxy. */
  trustProxy?: number | string[] | undefined;
  /** Told about decisions Redis did not make (outage policy), for logs and metrics. */
  onOutageDecision?: (source: string, error: Error | undefined) => void;
}

/** How long after its last outage decision /healthz still reports the limiter in fallback mode. */
export const FALLBACK_REPORTED_MS = 30_000;
const BODY_LIMIT = '100kb';

/** Errors of the body parser that are the client's, and what to tell the client. */
const CLIENT_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'invalid_json', message: 'The request body is not valid JSON.' },
  'entity.too.large': { code: 'body_too_large', message: `The request body is over ${BODY_LIMIT}.` },
  'encoding.unsupported': {
    code: 'unsupported_encoding',
    message: 'The Content-Encoding of the body is not accepted.',
  },
  'charset.unsupported': { code: 'unsupported_charset', message: 'The body must be UTF-8.' },
};

function redisAnswers(client: RedisClient): Promise<boolean> {
  // Bounded: a frozen server must not hang the probe.
  return withTimeout(client.ping(), 500, () => new Error('no PONG within 500 ms')).then(
    () => true,
    () => false,
  );
}

/** The units a batch asks for: `?count=`, as a number (the middleware answers 400 unless it is 1..limit). */
function batchCost(req: Request): number {
  return typeof req.query.count === 'string' && req.query.count !== '' ? Number(req.query.count) : Number.NaN;
}

export function createApp({ client, limiter, trustProxy, onOutageDecision }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);

  let lastOutage: { at: number; source: string; error: string } | undefined;
  const onDecision = (result: RateLimitResult) => {
    if (result.source === 'redis') return;
    lastOutage = { at: Date.now(), source: result.source, error: (result.error?.message ?? '').slice(0, 500) };
    onOutageDecision?.(result.source, result.error);
  };
  const json = express.json({ limit: BODY_LIMIT });

  app.get('/healthz', async (_req, res) => {
    const redis = (await redisAnswers(client)) ? 'up' : 'down';
    // Redis may answer PING while the limiter's own commands fail (a WRONGTYPE key, a slow script): the
    // decisions say which mode the limiter is in.
    const fallback = lastOutage !== undefined && Date.now() - lastOutage.at < FALLBACK_REPORTED_MS;
    const ok = redis === 'up' && !fallback;
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      redis,
      limiter: {
        mode: fallback ? lastOutage?.source : 'redis',
        ...(lastOutage ? { lastOutage: { ...lastOutage, at: new Date(lastOutage.at).toISOString() } } : {}),
        outage: limiter.outageStats,
      },
    });
  });

  app.post('/api/orders', rateLimit(limiter, { policyName: 'orders', onDecision }), json, (req, res) => {
    res.status(201).json({ id: randomUUID(), status: 'accepted', order: req.body ?? null });
  });

  app.post(
    '/api/orders/batch',
    rateLimit(limiter, { policyName: 'orders', costFor: batchCost, onDecision }),
    json,
    (req, res) => {
      const orders: unknown = req.body?.orders;
      const count = batchCost(req);
      if (!Array.isArray(orders) || orders.length !== count) {
        res.status(400).json({
          error: 'invalid_batch',
          message: `The body must be {"orders": [...]} with as many orders as ?count= says (${count}).`,
        });
        return;
      }
      res.status(201).json({ ids: orders.map(() => randomUUID()), status: 'accepted' });
    },
  );

  app.use((_req: Request, res: Response) => {
    res
      .status(404)
      .json({ error: 'not_found', message: 'No such route: POST /api/orders, POST /api/orders/batch, GET /healthz.' });
  });

  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, type } = error as { status?: unknown; type?: unknown };
    const known = typeof type === 'string' ? CLIENT_ERRORS[type] : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({
        error: known?.code ?? 'bad_request',
        message: known?.message ?? 'The request could not be read.',
      });
      return;
    }
    // Ours: the details go to the log, never to the client.
    console.error('[orders] request failed:', error);
    res.status(500).json({ error: 'internal_error', message: 'The request failed on our side; try again later.' });
  });

  return app;
}
