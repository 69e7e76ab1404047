/**
 * examples/llm-gateway over real HTTP against redis-8 with the fake upstream: a miss then a hit for a near-identical
 * prompt (the upstream called once), a refusal across scopes (another model, another system prompt: a miss), working
 * memory per session, concurrent near-identical misses sharing one upstream call, and every client mistake a 4xx
 * with a JSON body, no X-Powered-By and no stack trace; an unreachable upstream is a 502.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { createHashingEmbedder } from '@redis-agent-kit/patterns/vector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/llm-gateway/src/app.ts';
import { type FakeUpstream, startFakeUpstream } from '../../examples/llm-gateway/src/fake-upstream.ts';
import { createGateway, gatewayConfig } from '../../examples/llm-gateway/src/gateway.ts';
import { createUpstream } from '../../examples/llm-gateway/src/upstream.ts';
import { clientFor, target } from '../src/vitest/index.ts';

let client: RedisClient;
let fake: FakeUpstream;
const servers: Server[] = [];
const prefix = `rak:llm-gateway:${randomBytes(4).toString('hex')}`;

async function listen(upstreamUrl: string, redis = client): Promise<string> {
  const { cache, memory } = createGateway(redis, createHashingEmbedder(), { ...gatewayConfig({}), prefix });
  const server = createApp({
    client: redis,
    cache,
    memory,
    upstream: createUpstream(upstreamUrl, { timeoutMs: 5000 }),
  }).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let base: string;
beforeAll(async () => {
  client = await clientFor(target('redis-8'));
  fake = await startFakeUpstream();
  base = await listen(fake.url);
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await fake.close();
});

async function chat(body: unknown, headers: Record<string, string> = {}, url = base) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Reply };
}

interface Reply {
  model?: string;
  object?: string;
  choices: { message: { content: string } }[];
  error: { message: string; type: string };
}

const ask = (content: string, model = 'gpt-test', system = 'You are terse.') => ({
  model,
  messages: [
    { role: 'system', content: system },
    { role: 'user', content },
  ],
});

describe('examples/llm-gateway', () => {
  it('a miss goes upstream; a near-identical prompt is then a hit with its similarity, and no upstream call', async () => {
    const before = fake.calls();
    const miss = await chat(ask('What is the capital of France?'));
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-semantic-cache')).toBe('MISS');
    expect(fake.calls()).toBe(before + 1);
    const answer = miss.body.choices[0]?.message.content as string;
    expect(answer).toContain('You asked: What is the capital of France?');
    expect(miss.body).toMatchObject({ object: 'chat.completion', model: 'gpt-test' });

    const hit = await chat(ask('what is the capital of France?'));
    expect(hit.status).toBe(200);
    const header = hit.headers.get('x-semantic-cache') ?? '';
    expect(header).toMatch(/^HIT; similarity=(0|1)\.\d{3}$/);
    expect(Number(header.split('=')[1])).toBeGreaterThanOrEqual(0.95);
    expect(hit.body.choices[0]?.message.content).toBe(answer);
    expect(fake.calls(), 'the hit made no upstream call').toBe(before + 1);
  });

  it('refuses across scopes: another model or another system prompt is a miss, answered upstream', async () => {
    await chat(ask('Name three primary colours'));
    const before = fake.calls();
    const otherModel = await chat(ask('Name three primary colours', 'gpt-other'));
    expect(otherModel.headers.get('x-semantic-cache')).toBe('MISS');
    expect(otherModel.body.model).toBe('gpt-other');
    const otherSystem = await chat(ask('Name three primary colours', 'gpt-test', 'You are verbose.'));
    expect(otherSystem.headers.get('x-semantic-cache')).toBe('MISS');
    expect(fake.calls()).toBe(before + 2);
    expect((await chat(ask('Name three primary colours'))).headers.get('x-semantic-cache')).toMatch(/^HIT/);
    expect(fake.calls()).toBe(before + 2);
  });

  it('a session keeps its conversation: the history goes upstream before the new message', async () => {
    const session = { 'x-session-id': `s-${randomBytes(4).toString('hex')}` };
    const first = await chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'My name is Ada.' }] }, session);
    expect(first.body.choices[0]?.message.content).toContain('1 message(s) of context');
    const second = await chat(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'What is my name?' }] },
      session,
    );
    expect(second.body.choices[0]?.message.content, 'two stored messages and the new one').toContain(
      '3 message(s) of context',
    );
    const fresh = await chat(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'What is my name?' }] },
      { 'x-session-id': 'another-session' },
    );
    expect(fresh.body.choices[0]?.message.content).toContain('1 message(s) of context');
  });

  it('concurrent near-identical misses share one upstream call', async () => {
    const before = fake.calls();
    const replies = await Promise.all(
      ['How tall is Mont Blanc?', 'how tall is Mont Blanc?', 'How tall is Mont Blanc?'].map((q) => chat(ask(q))),
    );
    expect(fake.calls()).toBe(before + 1);
    expect(replies.map((r) => r.headers.get('x-semantic-cache')?.split(';')[0]).sort()).toEqual([
      'MISS',
      'SHARED',
      'SHARED',
    ]);
    expect(new Set(replies.map((r) => r.body.choices[0]?.message.content)).size).toBe(1);
  });

  it("a client's mistake is a 4xx with a JSON error, no X-Powered-By, no stack trace, and no upstream call", async () => {
    const before = fake.calls();
    const cases: [unknown, number, RegExp, Record<string, string>?][] = [
      ['{"model": "gpt-test", "messages": [', 400, /not valid JSON/],
      [{ model: 'gpt-test' }, 400, /messages must be a non-empty array/],
      [{ messages: [{ role: 'user', content: 'hi' }] }, 400, /model must be/],
      [{ model: 'm', messages: [{ role: 'wizard', content: 'hi' }] }, 400, /role must be one of/],
      [
        { model: 'm', messages: [{ role: 'assistant', content: 'hi' }] },
        400,
        /last message must be a non-empty user message/,
      ],
      [{ ...ask('hi'), stream: true }, 400, /stream: true is not supported/],
      [{ ...ask('x'.repeat(70 * 1024)) }, 413, /larger than 64kb/],
      [{ ...ask('x'.repeat(40 * 1024)) }, 400, /over maxPromptBytes 32768/],
      [ask('hi'), 400, /X-Session-Id/, { 'x-session-id': 'no spaces please' }],
    ];
    for (const [body, status, message, headers] of cases) {
      const reply = await chat(body, headers);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(reply.body.error.message).toMatch(message);
      expect(reply.headers.get('x-powered-by')).toBeNull();
      expect(reply.text).not.toMatch(/at .+\.ts:\d+|node_modules/);
    }
    const route = await fetch(`${base}/v1/completions`, { method: 'POST' });
    expect(route.status).toBe(404);
    expect(((await route.json()) as { error: { message: string } }).error.message).toMatch(/no such route/);
    expect(fake.calls()).toBe(before);
  });

  it('an upstream that cannot be reached is a 502 with a JSON error, and nothing is cached', async () => {
    const closed = await startFakeUpstream();
    await closed.close();
    const gateway = await listen(closed.url);
    const reply = await chat(ask('Is anyone there?'), {}, gateway);
    expect(reply.status).toBe(502);
    expect(reply.body.error).toEqual({ message: 'the upstream could not be reached', type: 'upstream_error' });
    expect((await chat(ask('Is anyone there?'))).headers.get('x-semantic-cache'), 'the failure stored nothing').toBe(
      'MISS',
    );
  });

  it('without vector sets (valkey-8.1) every request is forwarded uncached, and says so', async () => {
    const gateway = await listen(fake.url, await clientFor(target('valkey-8.1')));
    const before = fake.calls();
    for (let i = 0; i < 2; i++) {
      const reply = await chat(ask('What is the capital of Peru?'), {}, gateway);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('x-semantic-cache')).toBe('BYPASS; the cache is unavailable');
    }
    expect(fake.calls()).toBe(before + 2);
  });
});
