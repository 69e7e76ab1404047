/**
 * `npm start`: the gateway on PORT (default 3000, loopback unless HOST says otherwise) against REDIS_URL, forwarding
 * misses to UPSTREAM_URL (an OpenAI-compatible base URL such as https://api.openai.com/v1, key in UPSTREAM_API_KEY).
 * Without UPSTREAM_URL it starts the fake upstream in this process, for the offline demo. Prompts are embedded by
 * EMBEDDINGS_URL/EMBEDDINGS_MODEL, else the local hashing embedder (spelling, not meaning).
 */
import { closeClient, connect, describeClient } from '@redis-agent-kit/patterns';
import { embedderFromEnv } from '@redis-agent-kit/patterns/vector';
import { createApp } from './app.ts';
import { startFakeUpstream } from './fake-upstream.ts';
import { createGateway, gatewayConfig } from './gateway.ts';
import { createUpstream } from './upstream.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const timeoutMs = Number(process.env.UPSTREAM_TIMEOUT_MS ?? 60_000);
let config;
try {
  config = gatewayConfig();
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new RangeError(`UPSTREAM_TIMEOUT_MS is "${process.env.UPSTREAM_TIMEOUT_MS}"`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const fake = process.env.UPSTREAM_URL ? undefined : await startFakeUpstream();
const upstreamUrl = process.env.UPSTREAM_URL ?? (fake?.url as string);
const embedder = embedderFromEnv(process.env);
const client = await connect({ name: 'llm-gateway' });
const { cache, memory } = createGateway(client, embedder, config);
const upstream = createUpstream(upstreamUrl, { apiKey: process.env.UPSTREAM_API_KEY, timeoutMs });
const server = createApp({ client, cache, memory, upstream }).listen(port, host, () => {
  console.log(
    `[gateway] listening on http://${host}:${port} (Redis ${describeClient(client)}, embedder ${embedder.model}, threshold ${config.threshold}, upstream ${
      fake ? `the fake one at ${fake.url} (no UPSTREAM_URL)` : new URL(upstreamUrl).origin
    })`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void Promise.resolve(fake?.close())
      .finally(() => closeClient(client))
      .finally(() => process.exit(0));
  });
}
