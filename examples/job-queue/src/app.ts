/**
 * The Express 5 API: `POST /api/jobs` enqueues, `GET /api/jobs/:id` answers a job's result, `GET /stats` the queue's
 * state, `/api/dead-letters` lists and retries failed jobs, `/healthz` checks Redis. A client's mistake is a 4xx with
 * a JSON body; a Redis failure is a 503; no stack trace ever leaves the process.
 */
import { type RedisClient, withTimeout } from '@redis-agent-kit/patterns';
import { type Queue, QueueTimeoutError } from '@redis-agent-kit/patterns/queue';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type JobRequest, type JobsConfig, parseJobRequest, resultKey } from './jobs.ts';

export interface AppOptions {
  client: RedisClient;
  queue: Queue<JobRequest>;
  config: JobsConfig;
}

/** The most a client may ask for in one request. */
const MAX_DELAY_MS = 24 * 3600_000;
const MAX_DEAD_LETTERS = 100;
/** How long a result read waits for Redis (the queue's own calls have its commandTimeoutMs). */
const READ_TIMEOUT_MS = 2000;

export function createApp({ client, queue, config }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));

  app.get('/healthz', async (_req, res) => {
    try {
      // Bounded: a frozen server must not hang the probe.
      await withTimeout(client.ping(), 500, () => new Error('no PONG within 500 ms'));
      res.json({ status: 'ok', redis: 'up' });
    } catch {
      res.status(503).json({ status: 'degraded', redis: 'down' });
    }
  });

  app.post('/api/jobs', async (req, res) => {
    const job = parseJobRequest(req.body);
    if (typeof job === 'string') return void res.status(400).json({ error: job });
    const delayMs = Number(req.query.delayMs ?? 0);
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
      return void res.status(400).json({ error: `delayMs must be an integer from 0 to ${MAX_DELAY_MS}` });
    }
    const { priority = 'normal' } = req.body as { priority?: unknown };
    if (priority !== 'high' && priority !== 'normal')
      return void res.status(400).json({ error: 'priority must be "high" or "normal"' });
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length < 1 || Buffer.byteLength(key) > 200)) {
      return void res.status(400).json({ error: 'Idempotency-Key must be 1 to 200 bytes' });
    }
    const added = await queue.add(job, { ...(key ? { id: key } : {}), delayMs, priority });
    res
      .status(202)
      .location(`/api/jobs/${encodeURIComponent(added.id)}`)
      .json({
        id: added.id,
        status: added.added ? 'queued' : 'duplicate: already queued within the idempotency window',
      });
  });

  app.get('/api/jobs/:id', async (req, res) => {
    const result = await withTimeout(
      client.get(resultKey(config, req.params.id)),
      READ_TIMEOUT_MS,
      () => new QueueTimeoutError('result read'),
    );
    if (result === null) {
      return void res
        .status(404)
        .json({ id: req.params.id, status: 'not done: queued, running, retrying, dead-lettered or unknown' });
    }
    res.json({ id: req.params.id, status: 'done', result: JSON.parse(result) });
  });

  app.get('/stats', async (_req, res) => {
    res.json(await queue.stats());
  });

  app.get('/api/dead-letters', async (req, res) => {
    const count = Number(req.query.count ?? 10);
    if (!Number.isInteger(count) || count < 1 || count > MAX_DEAD_LETTERS) {
      return void res.status(400).json({ error: `count must be an integer from 1 to ${MAX_DEAD_LETTERS}` });
    }
    const letters = await queue.deadLetters(count);
    res.json(letters.map(({ rawPayload: _bytes, ...letter }) => letter));
  });

  app.post('/api/dead-letters/:deadLetterId/retry', async (req, res) => {
    if (!/^\d+:\d+-\d+$/.test(req.params.deadLetterId)) {
      return void res.status(400).json({ error: 'a dead letter id looks like 0:1732900000000-0 (partition:entry id)' });
    }
    const partition = Number(req.params.deadLetterId.split(':')[0]);
    if (partition >= queue.partitions.length) return void res.status(404).json({ error: `no partition ${partition}` });
    const retried = await queue.retryDeadLetter(req.params.deadLetterId);
    if (!retried) return void res.status(404).json({ error: `no dead letter ${req.params.deadLetterId}` });
    res.json({ retried: true });
  });

  app.use((_req, res) => {
    res
      .status(404)
      .json({ error: 'no such route: POST /api/jobs, GET /api/jobs/:id, GET /stats, GET /api/dead-letters' });
  });

  // Express 5 routes async errors here. The body parser's own errors carry a 4xx status; anything else is Redis.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.status && error.status >= 400 && error.status < 500) {
      const message =
        error.type === 'entity.too.large'
          ? 'the body is larger than 16 KB'
          : error.type === 'entity.parse.failed'
            ? 'the body is not valid JSON'
            : error.message;
      return void res.status(error.status).json({ error: message });
    }
    const reason = error instanceof QueueTimeoutError ? 'Redis did not answer in time' : 'Redis failed';
    res.status(503).json({ error: `the job queue is unavailable: ${reason}; retry later` });
  });

  return app;
}
