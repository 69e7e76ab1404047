/**
 * examples/rate-limiter over HTTP against redis-8: 100 orders per minute per API key pass with the rate-limit
 * headers, the 101st gets 429 with Retry-After and a JSON body, another key is not affected, /healthz is not
 * limited.
 */

import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/rate-limiter/src/app.ts';
import { createOrdersLimiter, ORDERS_POLICY } from '../../examples/rate-limiter/src/limiter.ts';
import { clientFor, target } from '../src/vitest/index.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  const client = await clientFor(target('redis-8'));
  const limiter = createOrdersLimiter(client, { prefix: `rak:rate-limiter-example:${randomBytes(4).toString('hex')}` });
  server = createApp({ client, limiter }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function order(apiKey: string) {
  return fetch(`${base}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ sku: 'A-1', quantity: 2 }),
  });
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

  it('/healthz answers and is never limited', async () => {
    for (let i = 0; i < 3; i++) {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('ratelimit')).toBeNull();
      expect(await health.json()).toEqual({ status: 'ok', redis: 'up' });
    }
  });
});
