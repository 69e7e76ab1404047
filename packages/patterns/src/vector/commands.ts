/**
 * Sending commands for both backends. Every command goes through the kit's batch module, which
 * routes each by its declared key (a vector set's one key, each JSON document's own key) to the node that serves
 * it; `sendAll` reports progress after each round trip and fails with the first server error (redacted) rather
 * than leaving the caller to inspect per-command replies.
 */
import { type Command, orThrow, sendBatch } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { type UpsertOptions, VECTOR_DEFAULTS } from './types.ts';

/** Sends every command, `batchSize` (default 200) a round trip, and returns their replies in order. */
export async function sendAll(
  client: RedisClient,
  commands: readonly Command[],
  options: UpsertOptions = {},
): Promise<unknown[]> {
  try {
    const replies = await sendBatch(client, commands, {
      batchSize: options.batchSize ?? VECTOR_DEFAULTS.batchSize,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return orThrow(replies);
  } catch (error) {
    throw redactClientError(client, error);
  }
}

/** One command's reply, its error redacted. */
export async function sendOne(client: RedisClient, cmd: Command): Promise<unknown> {
  const [reply] = await sendAll(client, [cmd]);
  return reply;
}
