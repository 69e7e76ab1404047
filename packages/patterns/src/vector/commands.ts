/**
 * Sending commands and reading replies for both backends. `sendBatched` sends many commands in pipelined round
 * trips of `batchSize`, reporting progress after each, and fails with the first server error (redacted) rather
 * than leaving the caller to inspect per-command replies.
 */
import { Cluster } from 'ioredis';
import { type RedisClient, redactClientError } from '../connection.ts';

export type Command = [string, ...(string | Buffer)[]];

export interface BatchOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * All commands touch one key (a vector set): one pipeline works on a cluster too. Otherwise, on a cluster, the
   * commands of a round trip are sent together without a pipeline, and ioredis routes each to its node.
   */
  sameSlot: boolean;
}

export async function sendBatched(
  client: RedisClient,
  commands: readonly Command[],
  options: BatchOptions,
): Promise<unknown[]> {
  const batchSize = Math.max(1, options.batchSize ?? 200);
  const replies: unknown[] = [];
  for (let start = 0; start < commands.length; start += batchSize) {
    const chunk = commands.slice(start, start + batchSize);
    replies.push(...(await sendChunk(client, chunk, options.sameSlot)));
    options.onProgress?.(Math.min(start + batchSize, commands.length), commands.length);
  }
  return replies;
}

async function sendChunk(client: RedisClient, chunk: readonly Command[], sameSlot: boolean): Promise<unknown[]> {
  try {
    if (client instanceof Cluster && !sameSlot) {
      return await Promise.all(chunk.map(([name, ...args]) => client.call(name, ...args)));
    }
    const pipeline = client.pipeline();
    for (const [name, ...args] of chunk) pipeline.call(name, ...args);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error) throw error;
      return reply;
    });
  } catch (error) {
    throw redactClientError(client, error);
  }
}

/** One command, its error redacted. */
export async function call(client: RedisClient, name: string, ...args: (string | Buffer)[]): Promise<unknown> {
  try {
    return await client.call(name, ...args);
  } catch (error) {
    throw redactClientError(client, error);
  }
}

/** Parses a flat `[field, value, field, value, …]` reply (VINFO, FT.INFO, FT.SEARCH fields) into a map. */
export function pairsToMap(reply: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), reply[i + 1]);
  return map;
}
