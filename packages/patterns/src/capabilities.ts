/**
 * What the connected server can do, found by asking it (INFO and COMMAND INFO), never from a version table:
 * Redis 8 builds differ (Debian's 8.0 has no JSON or search, redis:8.6-alpine has both) and Valkey reports
 * a Redis-compatible version of its own.
 */
import { Cluster } from 'ioredis';
import type { RedisClient } from './connection.ts';
import { fieldMap } from './replies.ts';

export type ServerKind = 'redis' | 'valkey' | 'unknown';
export type CapabilityName = 'json' | 'search' | 'vectorSets' | 'hashFieldTtl';

export interface Capabilities {
  server: ServerKind;
  /** The product's own version: valkey_version on Valkey, redis_version on Redis. */
  version: string;
  cluster: boolean;
  json: boolean;
  search: boolean;
  vectorSets: boolean;
  hashFieldTtl: boolean;
}

/** The command whose presence proves each capability. */
const CAPABILITY_PROBES: Record<CapabilityName, string> = {
  json: 'JSON.SET',
  search: 'FT.SEARCH',
  vectorSets: 'VADD',
  hashFieldTtl: 'HEXPIRE',
};

export const CAPABILITY_LABELS: Record<CapabilityName, string> = {
  json: 'JSON (JSON.SET)',
  search: 'search (FT.SEARCH)',
  vectorSets: 'vector sets (VADD)',
  hashFieldTtl: 'hash field TTL (HEXPIRE)',
};

/** Thrown by a pattern that needs a capability the server lacks. */
export class CapabilityMissingError extends Error {
  override readonly name = 'CapabilityMissingError';
  readonly capability: CapabilityName;
  readonly server: string;
  constructor(capability: CapabilityName, server: string, hint = '') {
    super(`${server} has no ${CAPABILITY_LABELS[capability]}${hint ? `: ${hint}` : ''}`);
    this.capability = capability;
    this.server = server;
  }
}

/** Parses `INFO` text into a flat field map. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

function serverIdentity(info: Record<string, string>): { server: ServerKind; version: string } {
  if (info.server_name === 'valkey' || info.valkey_version) {
    return { server: 'valkey', version: info.valkey_version ?? info.redis_version ?? 'unknown' };
  }
  if (info.redis_version) return { server: 'redis', version: info.redis_version };
  return { server: 'unknown', version: 'unknown' };
}

/** Which capabilities the server has, by their commands: one COMMAND INFO, which answers nil for an unknown command. */
async function probeCommands(client: RedisClient): Promise<Record<CapabilityName, boolean>> {
  const probes = Object.entries(CAPABILITY_PROBES) as [CapabilityName, string][];
  const replies = (await client.call('COMMAND', 'INFO', ...probes.map(([, command]) => command))) as unknown[];
  return Object.fromEntries(
    probes.map(([name], i) => [name, replies[i] !== null && replies[i] !== undefined]),
  ) as Record<CapabilityName, boolean>;
}

/** A refusal by the user's ACL (NOPERM). */
export function isNoPerm(error: unknown): boolean {
  return error instanceof Error && /NOPERM/.test(error.message);
}

export async function probeCapabilities(client: RedisClient): Promise<Capabilities> {
  // Three independent questions, sent together: one round trip at start-up instead of three.
  const [server, cluster, commands] = await Promise.all([
    client.info('server'),
    client.info('cluster'),
    probeCommands(client),
  ]);
  return {
    ...serverIdentity(parseInfo(String(server))),
    cluster: parseInfo(String(cluster)).cluster_enabled === '1',
    ...commands,
  };
}

/** How the server was identified: INFO, or HELLO for a user whose ACL refuses INFO (the usual read-only recipe). */
export type IdentifiedBy = 'INFO' | 'HELLO';

/**
 * `probeCapabilities`, or, when the user's ACL refuses INFO, the same answer from HELLO and COMMAND INFO, which any
 * user with +@connection may run. For read-only work such as the key audit; a caller that needs INFO anyway
 * (the MCP server's `server` tool) calls `probeCapabilities` and lets the refusal tell the user.
 */
export async function probeServer(
  client: RedisClient,
): Promise<{ capabilities: Capabilities; identifiedBy: IdentifiedBy }> {
  try {
    return { capabilities: await probeCapabilities(client), identifiedBy: 'INFO' };
  } catch (error) {
    if (!isNoPerm(error)) throw error;
  }
  const [hello, commands] = await Promise.all([client.call('HELLO', '2'), probeCommands(client)]);
  const fields = fieldMap(hello);
  const server = String(fields.get('server') ?? 'unknown');
  const capabilities = {
    server: (['redis', 'valkey'].includes(server) ? server : 'unknown') as ServerKind,
    version: String(fields.get('version') ?? 'unknown'),
    cluster: fields.get('mode') === 'cluster' || client instanceof Cluster,
    ...commands,
  };
  return { capabilities, identifiedBy: 'HELLO' };
}

/** `redis 8.0.2 · cluster · vector sets, hash field TTL`: one line for logs and reports. */
export function describeCapabilities(caps: Capabilities): string {
  const present = (Object.keys(CAPABILITY_PROBES) as CapabilityName[]).filter((name) => caps[name]);
  return `${caps.server} ${caps.version}${caps.cluster ? ' · cluster' : ''} · ${
    present.length
      ? present.map((name) => CAPABILITY_LABELS[name]).join(', ')
      : 'no JSON, search, vector sets or hash field TTL'
  }`;
}
