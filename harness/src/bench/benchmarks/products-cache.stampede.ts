/** What the products-cache benchmark and its forked app processes share: the setup, the report, the naive cache. */
import type { ConnectionOptions, RedisClient } from '@redis-agent-kit/patterns';

export interface StampedeSetup {
  mode: 'naive' | 'xfetch';
  connection: ConnectionOptions;
  namespace: string;
  key: string;
  value: unknown;
  ttlMs: number;
  originMs: number;
  clients: number;
  thinkMs: number;
}

export interface StampedeWorkerReport {
  originCalls: number;
  latencies: number[];
}

/**
 * The cache most code starts with: GET, and on a miss compute and SET with a TTL. Every reader that misses
 * before the first SET lands calls the origin: at an expiry under load, about one call per concurrent reader.
 */
export async function naiveGet(
  client: RedisClient,
  key: string,
  compute: () => Promise<unknown>,
  ttlMs: number,
): Promise<unknown> {
  const cached = await client.get(key);
  if (cached !== null) return JSON.parse(cached);
  const value = await compute();
  await client.set(key, JSON.stringify(value), 'PX', ttlMs);
  return value;
}
