/**
 * The gateway: `POST /v1/chat/completions` answers from the semantic cache when a stored prompt of the same model
 * and context is within the threshold (`X-Semantic-Cache: HIT; similarity=0.973`), else forwards to the upstream
 * and stores its answer (`MISS`); concurrent near-identical misses share one upstream call (`SHARED`). With an
 * `X-Session-Id` header the gateway keeps the conversation in working memory: the stored history goes before the
 * request's messages, and the question and answer are appended. If Redis fails, the request is forwarded uncached
 * (`BYPASS`). A client's mistake is a 4xx with an OpenAI-style JSON error; no stack trace leaves the process.
 */
import { withTimeout, type RedisClient } from '@redis-agent-kit/patterns';
import type { WorkingMemory } from '@redis-agent-kit/patterns/memory';
import type { SemanticCache } from '@redis-agent-kit/patterns/semantic-cache';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type ChatMessage, completion, contextHash, parseChatRequest } from './chat.ts';
import { type Upstream, UpstreamError } from './upstream.ts';

export interface AppOptions {
  client: RedisClient;
  cache: SemanticCache;
  memory: WorkingMemory;
  upstream: Upstream;
}

/** Largest request body, the same as the express.json limit below. */
export const MAX_BODY = '64kb';
const SESSION = /^[\w.:-]{1,200}$/;

class ClientError extends Error {
  readonly status = 400;
}

const fail = (res: Response, status: number, message: string, type = 'invalid_request_error') =>
  void res.status(status).json({ error: { message, type } });

export function createApp({ client, cache, memory, upstream }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: MAX_BODY }));

  app.get('/healthz', async (_req, res) => {
    try {
      await withTimeout(client.ping(), 500, () => new Error('no PONG within 500 ms'));
      res.json({ status: 'ok', redis: 'up' });
    } catch {
      res.status(503).json({ status: 'degraded', redis: 'down' });
    }
  });

  app.post('/v1/chat/completions', async (req, res) => {
    const chat = parseChatRequest(req.body);
    if (typeof chat === 'string') throw new ClientError(chat);
    const session = req.get('x-session-id');
    if (session !== undefined && !SESSION.test(session))
      throw new ClientError('X-Session-Id must be 1 to 200 letters, digits, _, ., : or -');

    let history: ChatMessage[] = [];
    if (session) history = (await memory.get(session)).messages.map(({ role, content }) => ({ role, content }));
    const messages = [...history, ...chat.messages];
    const question = messages.at(-1) as ChatMessage;

    let loaded: string | undefined;
    const load = async () => (loaded = await upstream(chat.model, messages, chat.rest));
    let answer: string;
    try {
      const result = await cache.answer(
        question.content,
        { scope: { model: chat.model, context: contextHash(messages) } },
        load,
      );
      answer = result.answer;
      const similarity = result.similarity === undefined ? '' : `; similarity=${result.similarity.toFixed(3)}`;
      res.set('X-Semantic-Cache', `${{ hit: 'HIT', upstream: 'MISS', shared: 'SHARED' }[result.source]}${similarity}`);
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      // Before the upstream call, a RangeError is the prompt (over the cache's size limit): the client's to fix.
      if (loaded === undefined && error instanceof RangeError) throw new ClientError(error.message);
      // The cache failed (Redis away or slow, or an answer too large to store): answer uncached, and say so.
      res.set('X-Semantic-Cache', loaded === undefined ? 'BYPASS; the cache is unavailable' : 'MISS; not stored');
      answer = loaded ?? (await load());
    }
    if (session) {
      await memory.append(session, { role: 'user', content: question.content });
      await memory.append(session, { role: 'assistant', content: answer });
    }
    res.json(completion(chat.model, answer));
  });

  app.use((_req, res) => fail(res, 404, 'no such route: POST /v1/chat/completions, GET /healthz'));

  // Express 5 routes async errors here. The body parser's own errors carry a 4xx status.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ClientError) return fail(res, error.status, error.message);
    if (error instanceof UpstreamError) return fail(res, error.status, error.message, 'upstream_error');
    if (error.status && error.status >= 400 && error.status < 500) {
      const message =
        error.type === 'entity.too.large'
          ? `the body is larger than ${MAX_BODY}`
          : error.type === 'entity.parse.failed'
            ? 'the body is not valid JSON'
            : error.message;
      return fail(res, error.status, message);
    }
    fail(
      res,
      503,
      'session memory is unavailable (Redis failed); retry later, or send the request without X-Session-Id',
      'service_unavailable',
    );
  });

  return app;
}
