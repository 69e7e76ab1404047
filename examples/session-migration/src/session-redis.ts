/**
 * The node-redis client connect-redis needs (it does not take ioredis), built from the same settings as the kit's
 * connection factory (`connectionSettings`): REDIS_URL, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS_CA/CERT/KEY and
 * REDIS_CLUSTER mean the same here as in `npm run migrate`. Commands fail at once while Redis is down instead of
 * queueing, so requests and /readyz answer promptly, and the client keeps reconnecting once it has been connected,
 * so the app recovers by itself when Redis returns. A first connection that fails says why: refused, wrong or
 * missing credentials, TLS, or no answer in time.
 */
import type { ConnectionSettings } from '@redis-agent-kit/patterns';
import { redactText, withTimeout } from '@redis-agent-kit/patterns';
import { createClient, createCluster } from 'redis';

export interface SessionRedis {
  /** For connect-redis' `client` option (a node-redis client or cluster). */
  client: ReturnType<typeof createClient> | ReturnType<typeof createCluster>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SessionRedisOptions {
  /** Deadline of each connection attempt. */
  connectTimeoutMs?: number;
  /** Attempts before the first connection gives up (later outages retry without end). */
  connectAttempts?: number;
}

export const SESSION_REDIS_DEFAULTS = { connectTimeoutMs: 5000, connectAttempts: 3 } as const;

const backoff = (retries: number) => Math.min(100 * 2 ** retries, 2000);

/** What a failed first connection means, for the start-up error: the cause by name, and what to check. */
export function describeConnectFailure(error: unknown, settings: ConnectionSettings, timeoutMs: number): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | undefined)?.code ?? /\b(E[A-Z]+|ERR_[A-Z_]+)\b/.exec(message)?.[1];
  const where = `${settings.host}:${settings.port}`;
  if (/WRONGPASS/.test(message)) {
    return 'the server refused the credentials (WRONGPASS): check REDIS_USERNAME and REDIS_PASSWORD (or the URL’s)';
  }
  if (/NOAUTH/.test(message))
    return 'the server needs a password (NOAUTH): set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user)';
  if (code === 'ECONNREFUSED')
    return `connection refused (ECONNREFUSED): nothing listens on ${where}; start Redis there or fix REDIS_URL`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host ${settings.host} not found (${code}): check REDIS_URL`;
  if (/ERR_SSL|ERR_TLS|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ssl|tls/i.test(`${code ?? ''} ${message}`)) {
    return `TLS failed (${code ?? message}): check rediss:// and REDIS_TLS_CA/CERT/KEY`;
  }
  if (/timeout/i.test(message)) {
    return `no answer within ${timeoutMs} ms (timeout)${
      settings.tls ? ': a TLS client talking to a port without TLS waits like this too' : ''
    }; check REDIS_URL and the network`;
  }
  return redactText(message, [settings.password]);
}

export async function connectSessionRedis(
  settings: ConnectionSettings,
  options: SessionRedisOptions = {},
): Promise<SessionRedis> {
  const connectTimeout = options.connectTimeoutMs ?? SESSION_REDIS_DEFAULTS.connectTimeoutMs;
  const attempts = options.connectAttempts ?? SESSION_REDIS_DEFAULTS.connectAttempts;
  let up = false;
  let everUp = false;
  // Before the first connection, give up after `attempts` and reject with the cause; after it, retry without end.
  const reconnectStrategy = (retries: number, cause: Error) =>
    !everUp && retries + 1 >= attempts ? cause : backoff(retries);
  const socket = {
    connectTimeout,
    reconnectStrategy,
    ...(settings.tlsOptions ? { tls: true as const, ...settings.tlsOptions } : {}),
  };
  const credentials = {
    ...(settings.username ? { username: settings.username } : {}),
    ...(settings.password ? { password: settings.password } : {}),
  };
  const single = settings.cluster
    ? undefined
    : createClient({
        ...credentials,
        database: settings.db,
        disableOfflineQueue: true,
        socket: { ...socket, host: settings.host, port: settings.port },
      });
  const many = settings.cluster
    ? createCluster({
        rootNodes: settings.seeds.map(({ host, port }) => ({ socket: { host, port } })),
        defaults: { ...credentials, disableOfflineQueue: true, socket },
      })
    : undefined;
  const client = (single ?? many) as NonNullable<typeof single | typeof many>;
  client.on('error', (error: Error) => {
    // Log the first error of an outage, not every reconnection attempt.
    if (up) console.error(`[redis] ${settings.display}: ${redactText(error.message, [settings.password])}`);
    up = false;
  });
  client.on('ready', () => {
    up = true;
    everUp = true;
  });
  const ping = async () => {
    // A cluster has no connection of its own: PING one node.
    const reply = single ? await single.ping() : await many?.sendCommand(undefined, true, ['PING']);
    if (reply !== 'PONG') throw new Error(`PING answered ${String(reply)}`);
  };
  // The whole start, the attempts and their backoff included, has one deadline too.
  const deadlineMs = attempts * (connectTimeout + 2000);
  try {
    await withTimeout<unknown>(
      client.connect(),
      deadlineMs,
      () => new Error(`timeout: no connection after ${deadlineMs} ms`),
    );
    // node-redis connects without credentials to a server that needs them; the first command says NOAUTH.
    await ping();
  } catch (error) {
    try {
      client.destroy();
    } catch {
      // Already closed by the reconnect strategy giving up.
    }
    // The original error is left out on purpose: it may carry the password.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(
      `Cannot connect to Redis at ${settings.display}: ${describeConnectFailure(error, settings, connectTimeout)}.`,
    );
  }
  return {
    client,
    ping,
    async close() {
      if (client.isOpen) await client.close();
    },
  };
}
