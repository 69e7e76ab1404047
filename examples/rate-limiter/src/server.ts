/**
 * `npm start`: the orders API on PORT (default 3000) against REDIS_URL (REDIS_CLUSTER=true for a cluster).
 * RATE_LIMIT_ALGORITHM picks sliding-window-log (default), sliding-window-counter or gcra; INSTANCES divides the
 * fallback limiter's quota; TRUST_PROXY sets Express' `trust proxy` so clients without an API key are limited
 * by their own address rather than the proxy's.
 */
import { closeClient, connect, describeClient } from '@redis-agent-kit/patterns';
import { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm } from '@redis-agent-kit/patterns/ratelimit';
import { createApp } from './app.ts';
import { createOrdersLimiter } from './limiter.ts';

const port = Number(process.env.PORT ?? 3000);
const algorithm = (process.env.RATE_LIMIT_ALGORITHM ?? 'sliding-window-log') as RateLimitAlgorithm;
if (!RATE_LIMIT_ALGORITHMS.includes(algorithm)) {
  console.error(`RATE_LIMIT_ALGORITHM must be one of ${RATE_LIMIT_ALGORITHMS.join(', ')}, got "${algorithm}"`);
  process.exit(2);
}

// No offline queue: while Redis is unreachable the fallback limiter decides at once, and those requests are
// not replayed against Redis on reconnection.
const client = await connect({ name: 'orders-api', offlineQueue: false });
const limiter = createOrdersLimiter(client, { algorithm, instances: Number(process.env.INSTANCES ?? 1) });
const app = createApp({
  client,
  limiter,
  onOutageDecision: (source, error) => console.warn(`[orders] rate limiter ${source}: ${error?.message}`),
});
const trustProxy = process.env.TRUST_PROXY;
// Express reads a number as a hop count, `true` as trust every proxy, other text as addresses or subnets.
if (trustProxy)
  app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' || trustProxy);

const server = app.listen(port, () => {
  console.log(
    `[orders] listening on http://localhost:${port} (Redis ${describeClient(client)}, ${algorithm}, ` +
      `${limiter.policy.limit} requests per ${limiter.policy.windowMs / 1000} s per API key)`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void closeClient(client).finally(() => process.exit(0));
  });
}
