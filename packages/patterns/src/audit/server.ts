/**
 * What the audit needs to know about the server, and its masters. `probeCapabilities()` reads INFO, which the
 * usual read-only ACL (`-@dangerous`) refuses; the audit then identifies the server with HELLO and the commands
 * with COMMAND INFO, both allowed to any user with +@connection.
 */
import { Cluster, type Redis } from 'ioredis';
import {
  CAPABILITY_PROBES,
  type Capabilities,
  type CapabilityName,
  probeCapabilities,
  type ServerKind,
} from '../capabilities.ts';
import type { RedisClient } from '../connection.ts';
import { isNoPerm } from './inspection.ts';

export async function auditCapabilities(client: RedisClient): Promise<{ capabilities: Capabilities; notes: string[] }> {
  try {
    return { capabilities: await probeCapabilities(client), notes: [] };
  } catch (error) {
    if (!isNoPerm(error)) throw error;
  }
  const hello = (await client.call('HELLO', '2')) as unknown[];
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < hello.length; i += 2) fields.set(String(hello[i]), hello[i + 1]);
  const names = Object.values(CAPABILITY_PROBES);
  const replies = (await client.call('COMMAND', 'INFO', ...names)) as unknown[];
  const has = (name: CapabilityName) => {
    const reply = replies[names.indexOf(CAPABILITY_PROBES[name])];
    return reply !== null && reply !== undefined;
  };
  const server = String(fields.get('server') ?? 'unknown');
  return {
    capabilities: {
      server: (['redis', 'valkey'].includes(server) ? server : 'unknown') as ServerKind,
      version: String(fields.get('version') ?? 'unknown'),
      cluster: fields.get('mode') === 'cluster' || client instanceof Cluster,
      json: has('json'),
      search: has('search'),
      vectorSets: has('vectorSets'),
      hashFieldTtl: has('hashFieldTtl'),
    },
    notes: ['INFO is not allowed for this user: server identified with HELLO and COMMAND INFO'],
  };
}

/** Every master once: the cluster's masters, or the server itself. */
export function masters(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

export function nodeName(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}
