/**
 * Sending commands for both backends. Every command goes through the kit's batch module, which
 * routes each by its declared key (a vector set's one key, each JSON document's own key) to the node that serves
 * it; `sendAll` reports progress after each round trip and fails with the first server error (redacted) rather
 * than leaving the caller to inspect per-command replies, or with one that says what to do for a MOVED reply.
 */
import { Cluster } from 'ioredis';
import { type Command, orThrow, sendBatch } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { type UpsertOptions, VECTOR_DEFAULTS } from './types.ts';

/**
 * A MOVED reply to a client that is not a cluster client: the server is a cluster node serving other slots. The
 * raw `MOVED 1234 host:port` says nothing about what to do, so the error says it.
 */
function explainRedirect(client: RedisClient, error: unknown): unknown {
  if (client instanceof Cluster || !(error instanceof Error) || !/^(MOVED|ASK) /.test(error.message)) return error;
  return new Error(
    `The server is a Redis Cluster node and this key is served by another node (${error.message}): connect with the cluster client (connect({ cluster: true }), or REDIS_CLUSTER=true)`,
    { cause: error },
  );
}

/** Sends every command, `batchSize` (default 200) a round trip, and returns their replies (Buffers with `buffers`) in order. */
export async function sendAll(
  client: RedisClient,
  commands: readonly Command[],
  options: UpsertOptions & { buffers?: boolean } = {},
): Promise<unknown[]> {
  try {
    const replies = await sendBatch(client, commands, {
      batchSize: options.batchSize ?? VECTOR_DEFAULTS.batchSize,
      ...(options.buffers ? { buffers: true } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return orThrow(replies);
  } catch (error) {
    throw redactClientError(client, explainRedirect(client, error));
  }
}

/** One command's reply, its error redacted. */
export async function sendOne(client: RedisClient, cmd: Command): Promise<unknown> {
  const [reply] = await sendAll(client, [cmd]);
  return reply;
}
