/**
 * The node-redis client connect-redis needs (it does not take ioredis). Commands fail at once while Redis is
 * down instead of queueing, so requests and /readyz answer promptly, and the client keeps reconnecting so the
 * app recovers by itself when Redis returns.
 */
import { describeUrlProblem, redactUrl, withTimeout } from '@redis-agent-kit/patterns';
import { createClient, createCluster } from 'redis';

export interface SessionRedis {
  /** For connect-redis' `client` option (a node-redis client or cluster). */
  client: ReturnType<typeof createClient> | ReturnType<typeof createCluster>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 2000);

export async function connectSessionRedis(
  url: string,
  cluster: boolean,
  connectTimeoutMs = 5000,
): Promise<SessionRedis> {
  // node-redis throws Node's `Invalid URL` TypeError, whose `input` holds the whole URL and its password: say which
  // part is malformed instead, before node-redis sees it.
  const problem = describeUrlProblem(url);
  if (problem) throw new Error(`Invalid REDIS_URL: ${problem}. Expected redis://[user:password@]host:port[/db]`);
  const single = cluster
    ? undefined
    : createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy, connectTimeout: connectTimeoutMs } });
  const many = cluster
    ? createCluster({ rootNodes: [{ url }], defaults: { disableOfflineQueue: true, socket: { reconnectStrategy } } })
    : undefined;
  const client = (single ?? many) as NonNullable<typeof single | typeof many>;
  let up = false;
  client.on('error', (error: Error) => {
    // Log the first error of an outage, not every reconnection attempt.
    if (up) console.error(`[redis] ${redactUrl(url)}: ${redactUrl(error.message)}`);
    up = false;
  });
  client.on('ready', () => {
    up = true;
  });
  try {
    await withTimeout<unknown>(client.connect(), connectTimeoutMs, () => new Error(`no answer within ${connectTimeoutMs} ms`));
  } catch (error) {
    client.destroy();
    // The original error is left out on purpose: it may carry the URL's password.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(
      `Cannot connect to Redis at ${redactUrl(url)}: ${redactUrl((error as Error).message)}. Check REDIS_URL.`,
    );
  }
  return {
    client,
    async ping() {
      // A cluster has no connection of its own: PING one node.
      const reply = single ? await single.ping() : await many?.sendCommand(undefined, true, ['PING']);
      if (reply !== 'PONG') throw new Error(`PING answered ${String(reply)}`);
    },
    async close() {
      if (client.isOpen) await client.close();
    },
  };
}
