/** The servers behind a client: a cluster's masters, or the one standalone server. */
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from '../connection.ts';

/** Every master once: the cluster's masters, or the server itself. Node-level commands (SCAN, INFO, DBSIZE) go to each. */
export function masters(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** `host:port` of one node, as CLUSTER NODES and the slot table name it. */
export function nodeAddress(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}
