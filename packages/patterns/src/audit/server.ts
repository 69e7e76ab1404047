/** What the audit needs to know about the server, and its masters. */
import { Cluster, type Redis } from 'ioredis';
import { type Capabilities, probeServer } from '../capabilities.ts';
import type { RedisClient } from '../connection.ts';

/** The server's capabilities, with a note when the user's ACL refused INFO and HELLO identified the server. */
export async function auditCapabilities(client: RedisClient): Promise<{ capabilities: Capabilities; notes: string[] }> {
  const { capabilities, identifiedBy } = await probeServer(client);
  const notes =
    identifiedBy === 'HELLO' ? ['INFO is not allowed for this user: server identified with HELLO and COMMAND INFO'] : [];
  return { capabilities, notes };
}

/** Every master once: the cluster's masters, or the server itself. */
export function masters(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

export function nodeName(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}
