/**
 * examples/rate-limiter over HTTP against redis-8: 100 orders per minute per API key pass with the rate-limit
 * headers, the 101st gets 429 with Retry-After and a JSON body, another key is not affected, /healthz is not
 * limited. Then the findings of issue 15, each over real HTTP: keys carry the algorithm, a WRONGTYPE is reported
 * and /healthz shows fallback mode, headers describe the fallback's policy while it decides, a bad cost is a 400,
 * the limiter runs before the body parser, errors are JSON without stacks, and TRUST_PROXY is checked.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { defaultRateLimitKey, type OutageStats, type RateLimitAlgorithm } from '@redis-agent-kit/patterns/ratelimit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/rate-limiter/src/app.ts';
import { parseTrustProxy } from '../../examples/rate-limiter/src/config.ts';
import { createOrdersLimiter, ORDERS_POLICY } from '../../examples/rate-limiter/src/limiter.ts';
import { clientFor, target } from '../src/vitest/index.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/rate-limiter');
const servers: Server[] = [];
let client: RedisClient;
let base: string;

interface Serve {
  algorithm?: RateLimitAlgorithm;
  namespace?: string;
  instances?: number;
  trustProxy?: string;
  outageErrors?: Error[];
}

/** The example app on a free port, with its own key namespace unless one is given. */
async function serve(options: Serve = {}) {
  const namespace = options.namespace ?? `rak:rate-limiter-example:${randomBytes(4).toString('hex')}`;
  const limiter = createOrdersLimiter(client, { namespace, ...options });
  const app = createApp({
    client,
    limiter,
    trustProxy: parseTrustProxy(options.trustProxy),
    onOutageDecision: (_source, error) => {
      if (error) options.outageErrors?.push(error);
    },
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, limiter, namespace };
}

beforeAll(async () => {
  client = await clientFor(target('redis-8'));
  ({ base } = await serve());
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

function order(apiKey: string, at = base, extra: RequestInit = {}) {
  return fetch(`${at}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ sku: 'A-1', quantity: 2 }),
    ...extra,
  });
}

function batch(apiKey: string, count: string, orders: number, at = base) {
  return fetch(`${at}/api/orders/batch?count=${count}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ orders: Array.from({ length: orders }, () => ({ sku: 'A-1' })) }),
  });
}

interface Health {
  status: string;
  redis: string;
  limiter: { mode: string; lastOutage?: { at: string; source: string; error: string }; outage: OutageStats };
}

async function health(at: string) {
  const res = await fetch(`${at}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

/** A client error as the API must answer it: JSON, a code, no stack trace or file path, no X-Powered-By. */
async function expectJsonError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('x-powered-by')).toBeNull();
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at |\/work\/|node_modules|\.ts:\d/);
  const body = JSON.parse(text) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

describe('examples/rate-limiter over HTTP', () => {
  it('admits 100 orders per minute per API key with headers, then answers 429 with Retry-After', async () => {
    const accepted = [];
    const startedAt = Date.now() / 1000;
    for (let i = 0; i < ORDERS_POLICY.limit; i++) accepted.push(await order('key-a'));
    expect(accepted.map((r) => r.status)).toEqual(Array(ORDERS_POLICY.limit).fill(201));
    const first = accepted[0] as Response;
    expect(first.headers.get('x-ratelimit-limit')).toBe('100');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('99');
    // The reset is a minute after the first request, which came between startedAt and now: bounds from both, so
    // how long the requests took does not matter.
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(Math.floor(startedAt + 60));
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000 + 60));
    expect(first.headers.get('ratelimit-policy')).toBe('"orders";q=100;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"orders";r=99;t=(59|60)$/);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(first.headers.get('x-powered-by')).toBeNull();
    expect(await first.json()).toMatchObject({ status: 'accepted', order: { sku: 'A-1', quantity: 2 } });
    expect((accepted.at(-1) as Response).headers.get('x-ratelimit-remaining')).toBe('0');

    const limited = await order('key-a');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit')).toBe(`"orders";r=0;t=${retryAfter}`);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await limited.json()).toMatchObject({ error: 'rate_limited', limit: 100, retryAfterSeconds: retryAfter });

    const other = await order('key-b');
    expect(other.status).toBe(201);
    expect(other.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('/healthz answers and is never limited; it says Redis decides', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(await res.json()).toMatchObject({ status: 'ok', redis: 'up', limiter: { mode: 'redis' } });
    }
  });

  it('a batch costs its count; a count that is not a whole number from 1 to the limit is a 400 that consumes nothing', async () => {
    const ok = await batch('key-batch', '5', 5);
    expect(ok.status).toBe(201);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('95');
    for (const count of ['0', '-1', '1.5', 'NaN', 'abc', '', '1e9', '101', 'Infinity']) {
      const body = await expectJsonError(await batch('key-batch', count, 1), 400, 'invalid_cost');
      expect(body.message, count).toContain('from 1 to the limit (100)');
    }
    expect((await batch('key-batch', '1', 1)).headers.get('x-ratelimit-remaining')).toBe('94');
    // A body that does not match its count: rejected after the limiter charged the count.
    await expectJsonError(await batch('key-batch', '2', 3), 400, 'invalid_batch');
  });

  it('limits before parsing the body: malformed bodies on an exhausted key get 429, not the parser', async () => {
    for (let i = 0; i < ORDERS_POLICY.limit; i++) await order('key-flood');
    const malformed = { body: '{"sku": ', headers: { 'content-type': 'application/json', 'x-api-key': 'key-flood' } };
    const answers = await Promise.all(Array.from({ length: 50 }, () => order('key-flood', base, malformed)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(429));
    for (const res of answers) await expectJsonError(res, 429, 'rate_limited');
  });

  it('answers client errors as JSON without stack traces or paths, and unknown routes with a JSON 404', async () => {
    const bad = { body: '{"sku": ', headers: { 'content-type': 'application/json', 'x-api-key': 'key-json' } };
    await expectJsonError(await order('key-json', base, bad), 400, 'invalid_json');
    const big = { body: JSON.stringify({ note: 'x'.repeat(200_000) }), headers: bad.headers };
    await expectJsonError(await order('key-json', base, big), 413, 'body_too_large');
    await expectJsonError(await fetch(`${base}/api/nothing-here`), 404, 'not_found');
  });

  it('keys carry the algorithm: switching RATE_LIMIT_ALGORITHM on live keys starts fresh keys, decided by Redis', async () => {
    const { base: logBase, namespace } = await serve({ algorithm: 'sliding-window-log' });
    for (let i = 0; i < 3; i++) expect((await order('key-switch', logBase)).status).toBe(201);
    for (const algorithm of ['gcra', 'sliding-window-counter'] as const) {
      const errors: Error[] = [];
      const { base: switched } = await serve({ algorithm, namespace, outageErrors: errors });
      const res = await order('key-switch', switched);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-ratelimit-remaining'), algorithm).toBe('99');
      expect(errors, algorithm).toEqual([]);
      expect((await health(switched)).body.limiter).toMatchObject({ mode: 'redis', outage: { decisions: 0 } });
    }
  });

  it('a WRONGTYPE key is reported, /healthz shows fallback mode, and every header describes the fallback policy', async () => {
    const errors: Error[] = [];
    const { base: app, limiter } = await serve({ instances: 3, outageErrors: errors });
    // Another program wrote a string where this limiter keeps its sorted set.
    const key = limiter.keyFor(defaultRateLimitKey({ headers: { 'x-api-key': 'key-wrongtype' } }));
    await client.set(key, 'not a sorted set', 'PX', 60_000);
    const share = Math.floor(ORDERS_POLICY.limit / 3);
    const accepted = [];
    for (let i = 0; i < share; i++) accepted.push(await order('key-wrongtype', app));
    expect(accepted.map((r) => r.status)).toEqual(Array(share).fill(201));
    const first = accepted[0] as Response;
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(share));
    expect(first.headers.get('x-ratelimit-remaining')).toBe(String(share - 1));
    expect(first.headers.get('ratelimit-policy')).toBe(`"orders";q=${share};w=60`);
    const denied = await order('key-wrongtype', app);
    const body = await expectJsonError(denied, 429, 'rate_limited');
    expect(body.message).toContain(`the limit is ${share} per 60 s`);
    expect(denied.headers.get('x-ratelimit-limit')).toBe(String(share));
    expect(denied.headers.get('ratelimit-policy')).toBe(`"orders";q=${share};w=60`);
    expect(denied.headers.get('ratelimit')).toBe(`"orders";r=0;t=${denied.headers.get('retry-after')}`);

    expect(errors[0]?.name).toBe('RateLimiterKeyError');
    expect(errors[0]?.message).toContain('WRONGTYPE');
    const { status, body: healthz } = await health(app);
    expect(status).toBe(503);
    expect(healthz).toMatchObject({ status: 'degraded', redis: 'up', limiter: { mode: 'fallback' } });
    expect(healthz.limiter.lastOutage?.error).toContain('WRONGTYPE');
    expect(healthz.limiter.outage).toMatchObject({ decisions: share + 1, uncountedAdmissions: share, timedOut: 0 });
    await client.unlink(key);
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: keyless clients cannot pick their key', async () => {
    const { base: app } = await serve();
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        fetch(`${app}/api/orders`, { method: 'POST', headers: { 'x-forwarded-for': `198.51.100.${i}` } }),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(ORDERS_POLICY.limit);
  });

  it("TRUST_PROXY with the proxy's address believes the entry that proxy added", async () => {
    // The test connects from 127.0.0.1: it is the trusted proxy, and the last X-Forwarded-For entry the client.
    const { base: app } = await serve({ trustProxy: '127.0.0.1' });
    const send = (forwardedFor: string) =>
      fetch(`${app}/api/orders`, { method: 'POST', headers: { 'x-forwarded-for': forwardedFor } });
    const first = await send('203.0.113.1');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('99');
    // A client's own (forged) entry comes before the proxy's: not believed.
    expect((await send('192.0.2.66, 203.0.113.1')).headers.get('x-ratelimit-remaining')).toBe('98');
    expect((await send('203.0.113.2')).headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('TRUST_PROXY=true is refused at startup with the reason', async () => {
    const child = spawn(process.execPath, ['--conditions=source', join(EXAMPLE, 'src/server.ts')], {
      env: { ...process.env, TRUST_PROXY: 'true', REDIS_URL: 'redis://127.0.0.1:1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('TRUST_PROXY=true');
    expect(stderr).toContain('any client could choose');
  });
});
