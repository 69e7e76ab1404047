/**
 * Connects to one instance for an audit: standalone first, then the cluster client when HELLO says the server
 * runs in cluster mode (or when asked for it). The INFO ready check is off so a read-only ACL user, who may not
 * run INFO, connects without warnings. Every command, the client's own handshake included, has the deadline
 * `timeoutMs`: a port that accepts connections and never answers fails here, and says so.
 */
import {
  type ConnectionOptions,
  closeClient,
  createClient,
  describeClient,
  type RedisClient,
  redactClientError,
  whenReady,
  withTimeout,
} from '@redis-agent-kit/patterns';

/** ioredis's rejection of a command that outlived `commandTimeout`. */
const TIMED_OUT = /Command timed out/;

function silentPort(timeoutMs: number, step: string): Error {
  return new Error(`no answer to ${step} within ${timeoutMs} ms: the port accepts connections but nothing replies`);
}

/**
 * Like the factory's connect(): a client once it is ready, or one redacted error. But the whole connection, its
 * retries included, is given up after `timeoutMs`, and the client closed.
 */
async function connectWithin(options: ConnectionOptions, timeoutMs: number): Promise<RedisClient> {
  const client = createClient(options);
  try {
    await withTimeout(whenReady(client), timeoutMs, () => silentPort(timeoutMs, 'the connection handshake'));
    return client;
  } catch (error) {
    client.disconnect();
    const reason = redactClientError(client, error).message;
    if (TIMED_OUT.test(reason) || reason.startsWith('no answer'))
      throw silentPort(timeoutMs, 'the connection handshake');
    // eslint-disable-next-line preserve-caught-error -- no cause: the original error may carry the password
    throw new Error(
      `Cannot connect to ${describeClient(client)}: ${reason}. Check that the server runs and that the URL, the credentials and TLS settings are right.`,
    );
  }
}

export async function connectInstance(
  url: string,
  cluster: boolean | undefined,
  timeoutMs: number,
): Promise<RedisClient> {
  const common = {
    url,
    readyCheck: false,
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
    connectAttempts: 2,
    reconnect: false,
  };
  if (cluster === undefined) {
    const probe = await connectWithin({ ...common, cluster: false }, timeoutMs);
    let mode: unknown;
    try {
      const hello = (await probe.call('HELLO', '2')) as unknown[];
      mode = hello[hello.indexOf('mode') + 1];
    } catch (error) {
      // A server without HELLO: the open probe would keep the process alive after the report.
      await closeClient(probe);
      throw TIMED_OUT.test((error as Error).message) ? silentPort(timeoutMs, 'HELLO') : error;
    }
    if (mode !== 'cluster') return probe;
    await closeClient(probe);
  }
  try {
    return await connectWithin({ ...common, cluster: true }, timeoutMs);
  } catch (error) {
    // connectWithin() has redacted the message already.
    throw new Error(`${(error as Error).message} (a read-only ACL user needs +cluster|slots to find the masters)`, {
      cause: error,
    });
  }
}
