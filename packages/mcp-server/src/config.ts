/**
 * Command-line flags and environment → one validated configuration. Credentials are read from the environment
 * (REDIS_USERNAME, REDIS_PASSWORD, REDIS_MCP_HTTP_TOKEN) by the connection factory and the HTTP transport; they
 * are never part of anything this module prints.
 */
import { parseArgs } from 'node:util';
import { redactUrl } from '@redis-agent-kit/patterns';

export interface Limits {
  /** Seconds applied to a write that names neither `ttl` nor `permanent: true`; 0 refuses such writes. */
  defaultTtl: number;
  /** Largest value (bytes, summed over one write) a tool stores. */
  maxValueBytes: number;
  /** Most items any tool returns or accepts in one call (SCAN, ranges, stream reads, members). */
  maxItems: number;
  /** Longest a subscribe or keyspace watch waits. */
  maxWaitMs: number;
}

export interface ServerConfig {
  url: string;
  cluster: boolean;
  tls: { ca?: string; cert?: string; key?: string } | undefined;
  readOnly: boolean;
  /** Tool groups to register, in registry order. */
  groups: string[];
  limits: Limits;
  /** `{service}` in session keys `{service}:session:{id}`. */
  service: string;
  commandTimeoutMs: number;
  transport: 'stdio' | 'http';
  /** `allowedHosts`: Host/Origin names accepted besides the loopback names (`name` or `name:port`). */
  http: { host: string; port: number; token: string | undefined; allowedHosts: string[] };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_LIMITS: Limits = { defaultTtl: 3600, maxValueBytes: 100 * 1024, maxItems: 100, maxWaitMs: 10_000 };

export const USAGE = `redis-mcp-server: a Redis 8 / Valkey MCP server with guarded, typed tools.

  --url <url>              redis://host:port[/db] or rediss:// (TLS). Default: REDIS_URL, then redis://127.0.0.1:6379
  --tls-ca/--tls-cert/--tls-key <file>   PEM files (default REDIS_TLS_CA, REDIS_TLS_CERT, REDIS_TLS_KEY)
  --cluster-mode           use the cluster client (default REDIS_CLUSTER)
  --read-only              register read operations only
  --profile <name>         tool set: default, full, read, data, app, ops (default: default)
  --tools <g1,g2>          explicit groups instead of a profile: keys,strings,hashes,lists,sets,zsets,streams,json,
                           pubsub,sessions,cache,ratelimit,queue,vector,server,audit,docs
  --default-ttl <s>        TTL for writes without ttl/permanent (default 3600; 0 = refuse them)
  --max-value-bytes <n>    largest value stored (default 102400)
  --max-items <n>          most items in or out of one call (default 100)
  --max-wait-ms <n>        longest subscribe/watch wait (default 10000)
  --service <name>         session key namespace (default mcp)
  --command-timeout-ms <n> fail a Redis command after this long (default 5000)
  --transport stdio|http   default stdio
  --host <addr> --port <n> HTTP bind (default 127.0.0.1:3000); binding beyond loopback needs REDIS_MCP_HTTP_TOKEN
  --allowed-hosts <h1,h2>  Host/Origin names accepted besides 127.0.0.1, localhost and [::1] with the bound port
                           (name or name:port; every other Host or Origin gets 403, against DNS rebinding)
Credentials: REDIS_USERNAME, REDIS_PASSWORD (never put them in flags or files).`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** A bind address on this machine only. Exact addresses: `127.0.0.1.attacker.example` is a name, not loopback. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses argv (without node and script) and the environment. `resolveGroups` turns `--tools`/`--profile` into
 * group names and validates them against the registry (passed in so this module stays free of tool code).
 */
export function parseConfig(
  argv: string[],
  env: NodeJS.ProcessEnv,
  resolveGroups: (tools: string | undefined, profile: string | undefined) => { groups: string[]; readOnly: boolean },
): ServerConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'cluster-mode': { type: 'boolean' },
        'read-only': { type: 'boolean' },
        profile: { type: 'string' },
        tools: { type: 'string' },
        'default-ttl': { type: 'string' },
        'max-value-bytes': { type: 'string' },
        'max-items': { type: 'string' },
        'max-wait-ms': { type: 'string' },
        service: { type: 'string' },
        'command-timeout-ms': { type: 'string' },
        transport: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'allowed-hosts': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new ConfigError(`${redactUrl((error as Error).message)}\n\n${USAGE}`);
  }
  const str = (name: string) => values[name] as string | undefined;
  const url = str('url') ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^(rediss?|valkeys?):\/\//.test(url)) {
    // Only the scheme is echoed: a malformed URL may carry a password the redactor cannot recognise.
    throw new ConfigError(`--url must start with redis:// or rediss://, got one starting "${url.split(':')[0]}:"`);
  }
  const transport = str('transport') ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') {
    throw new ConfigError(`--transport must be stdio or http, got "${transport}"`);
  }
  const host = str('host') ?? '127.0.0.1';
  const token = env.REDIS_MCP_HTTP_TOKEN || undefined;
  if (transport === 'http' && !isLoopback(host) && !token) {
    throw new ConfigError(
      `--host ${host} is reachable beyond this machine: set REDIS_MCP_HTTP_TOKEN to a long random secret (clients send it as a bearer token)`,
    );
  }
  const tlsFiles = {
    ...(str('tls-ca') ? { ca: str('tls-ca') } : {}),
    ...(str('tls-cert') ? { cert: str('tls-cert') } : {}),
    ...(str('tls-key') ? { key: str('tls-key') } : {}),
  };
  const selection = resolveGroups(str('tools'), str('profile'));
  const service = str('service') ?? 'mcp';
  if (!/^[\w.-]+$/.test(service)) throw new ConfigError(`--service must be letters, digits, "_", "." or "-"`);
  return {
    url,
    cluster: values['cluster-mode'] === true || /^(1|true|yes)$/i.test(env.REDIS_CLUSTER ?? ''),
    tls: Object.keys(tlsFiles).length ? tlsFiles : undefined,
    readOnly: values['read-only'] === true || selection.readOnly,
    groups: selection.groups,
    limits: {
      defaultTtl: positiveInt('default-ttl', str('default-ttl'), DEFAULT_LIMITS.defaultTtl, 0),
      maxValueBytes: positiveInt('max-value-bytes', str('max-value-bytes'), DEFAULT_LIMITS.maxValueBytes),
      maxItems: positiveInt('max-items', str('max-items'), DEFAULT_LIMITS.maxItems),
      maxWaitMs: positiveInt('max-wait-ms', str('max-wait-ms'), DEFAULT_LIMITS.maxWaitMs),
    },
    service,
    commandTimeoutMs: positiveInt('command-timeout-ms', str('command-timeout-ms'), 5000),
    transport,
    http: {
      host,
      port: positiveInt('port', str('port'), 3000, 0),
      token,
      allowedHosts: (str('allowed-hosts') ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    },
  };
}
