/**
 * One command per key for many keys, in one round trip per server, correct on a cluster.
 *
 * A standalone server gets one pipeline. A cluster cannot take one pipeline across slots (ioredis refuses keys
 * served by different nodes, and would route `JSON.*` commands, whose key positions it does not know, to a random
 * node), so keys are grouped by the master that serves their slot and each group is pipelined straight to that
 * node's connection, all groups in parallel. A key whose slot moved meanwhile (MOVED/ASK) is retried alone through
 * the cluster client, which follows the redirect.
 */
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from '../connection.ts';
import { keySlot } from './key-slot.ts';

/** A command as its name and arguments, e.g. `['SET', key, value, 'PX', '1000']`. */
export type RedisCommand = [name: string, ...args: string[]];

async function pipelined(connection: Redis | Cluster, commands: RedisCommand[]): Promise<unknown[]> {
  if (commands.length === 1) {
    const [name, ...args] = commands[0] as RedisCommand;
    return [await connection.call(name, ...args).catch((error: unknown) => error)];
  }
  const pipeline = connection.pipeline();
  for (const [name, ...args] of commands) pipeline.call(name, ...args);
  // exec() itself rejects only when the whole batch failed (e.g. the connection is gone): every key gets that error.
  const results = (await pipeline.exec().catch((error: unknown) => commands.map(() => [error, null]))) ?? [];
  return commands.map((_, i) => {
    const [error, reply] = results[i] ?? [new Error('no reply')];
    return error ?? reply;
  });
}

const REDIRECTED = /^(MOVED|ASK) /;

async function onCluster(
  cluster: Cluster,
  keys: readonly string[],
  command: (key: string, index: number) => RedisCommand,
) {
  const masters = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const groups = new Map<Redis | undefined, number[]>();
  keys.forEach((key, i) => {
    const node = masters.get(cluster.slots[keySlot(key)]?.[0] ?? '');
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  });
  const replies: unknown[] = new Array(keys.length);
  await Promise.all(
    [...groups].map(async ([node, indexes]) => {
      const commands = indexes.map((i) => command(keys[i] as string, i));
      // Without a slot table (not loaded yet) the cluster client routes each command itself.
      const answers = node
        ? await pipelined(node, commands)
        : await Promise.all(commands.map((c) => pipelined(cluster, [c]).then(([reply]) => reply)));
      indexes.forEach((keyIndex, j) => {
        replies[keyIndex] = answers[j];
      });
    }),
  );
  await Promise.all(
    replies.map(async (reply, i) => {
      if (reply instanceof Error && REDIRECTED.test(reply.message)) {
        [replies[i]] = await pipelined(cluster, [command(keys[i] as string, i)]);
      }
    }),
  );
  return replies;
}

/** Runs `command(key)` for every key in one round trip per server; replies (or Errors) in key order. */
export async function perKeyCommands(
  client: RedisClient,
  keys: readonly string[],
  command: (key: string, index: number) => RedisCommand,
): Promise<unknown[]> {
  if (keys.length === 0) return [];
  if (client instanceof Cluster) return onCluster(client, keys, command);
  return pipelined(
    client,
    keys.map((key, i) => command(key, i)),
  );
}
