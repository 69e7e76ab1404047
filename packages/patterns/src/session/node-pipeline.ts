/**
 * One command per key in as few round trips as the topology allows: one pipeline on a standalone server, one
 * pipeline per node on a cluster (ioredis refuses a cluster pipeline whose keys live on different nodes, and
 * sessions' keys spread over every slot). Replies come back in input order.
 */
import type { ChainableCommander } from 'ioredis';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection.ts';
import { keySlot } from './cluster-slot.ts';

export type Reply = [error: Error | null, result: unknown];

export async function pipelinePerNode(
  client: RedisClient,
  keys: readonly string[],
  add: (pipeline: ChainableCommander, key: string, index: number) => void,
): Promise<Reply[]> {
  const groups = new Map<string, number[]>();
  if (client instanceof Cluster) {
    keys.forEach((key, index) => {
      // An unknown slot (topology still loading) gets a pipeline of its own; ioredis routes and redirects it.
      const owner = client.slots[keySlot(key)]?.join(';') ?? `?${index}`;
      const group = groups.get(owner);
      if (group) group.push(index);
      else groups.set(owner, [index]);
    });
  } else {
    groups.set(
      '',
      keys.map((_, index) => index),
    );
  }
  const replies: Reply[] = new Array(keys.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = client.pipeline();
      for (const index of indexes) add(pipeline, keys[index] as string, index);
      const results = (await pipeline.exec()) ?? [];
      indexes.forEach((index, at) => {
        replies[index] = (results[at] as Reply | undefined) ?? [new Error('no reply'), null];
      });
    }),
  );
  return replies;
}
