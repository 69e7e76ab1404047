/**
 * `npm start`: the orders API on HOST:PORT (default 127.0.0.1:3000) against REDIS_URL (REDIS_CLUSTER=true for a cluster).
 * RATE_LIMIT_ALGORITHM picks sliding-window-log (default), sliding-window-counter or gcra; INSTANCES divides the
 * fallback limiter's quota; TRUST_PROXY (a hop count or proxy addresses, see config.ts) lets clients without an
 * API key be limited by their own address rather than the proxy's.
 */
import type { AddressInfo } from 'node:net';
import { closeClient, connect, describeClient } from '@redis-agent-kit/patterns';
import { masters } from '@redis-agent-kit/patterns/cluster';
import { createApp } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { createOrdersLimiter } from './limiter.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`[orders] ${(error as Error).message}`);
  process.exit(2);
}

/** At most one warning per this many ms, with a count of the decisions in between: an outage must not flood the log. */
const WARN_EVERY_MS = 10_000;
let lastWarning = 0;
let unreported = 0;
function warnOutage(source: string, error: Error | undefined): void {
  const now = Date.now();
  if (now - lastWarning < WARN_EVERY_MS) {
    unreported++;
    return;
  }
  const more = unreported > 0 ? ` (${unreported} more outage decisions since the last warning)` : '';
  console.warn(`[orders] rate limiter ${source}: ${error?.message}${more}`);
  lastWarning = now;
  unreported = 0;
}

// No offline queue: while Redis is unreachable the fallback limiter decides at once, and those requests are
// not replayed against Redis on reconnection.
const client = await connect({ name: 'orders-api', offlineQueue: false });
// A cluster client opens its connection to each node on that node's first command: open every master's now, so the
// first requests do not each wait for a handshake of several round trips, which a busy event loop can stretch
// past the limiter's deadline.
await Promise.all(masters(client).map((node) => node.ping()));
const limiter = createOrdersLimiter(client, { algorithm: config.algorithm, instances: config.instances });
const app = createApp({ client, limiter, trustProxy: config.trustProxy, onOutageDecision: warnOutage });

const server = app.listen(config.port, config.host, () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(
    `[orders] listening on http://${address.includes(':') ? `[${address}]` : address}:${port} (Redis ${describeClient(client)}, ${config.algorithm}, ` +
      `${limiter.policy.limit} requests per ${limiter.policy.windowMs / 1000} s per API key)`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void closeClient(client).finally(() => process.exit(0));
  });
}
