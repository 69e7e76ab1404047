/**
 * Command-line flags and environment → one validated configuration. Credentials are read from the environment
 * (REDIS_USERNAME, REDIS_PASSWORD, REDIS_MCP_HTTP_TOKEN) by the connection factory and the HTTP transport; they
 * are never part of anything this module prints.
 */
import { parseArgs } from 'node:util';
import { type ConnectionTarget, connectionTarget, RedisConnectionError, redactUrl } from '@redis-agent-kit/patterns';

export interface Limits {
  /** Seconds applied to a key created by a write that names no `ttl` (`ttl: 0` is none); 0 refuses such writes. */
  defaultTtl: number;
  /** Largest value (bytes, summed over one write) a tool stores. */
  maxValueBytes: number;
  /** Most items any tool returns or accepts in one call (SCAN, ranges, stream reads, members). */
  maxItems: number;
  /** Longest a subscribe or keyspace watch waits. */
  maxWaitMs: number;
  /** Longest key, field, member name, id or other name a call may give (bytes). */
  maxNameBytes: number;
  /** Largest answer (bytes of JSON, counting the text copy of the structured content). */
  maxAnswerBytes: number;
  /** Most elements a server-side read may touch: set algebra by total cardinality, range offsets. */
  maxReadElements: number;
  /** Most subscribe/psubscribe/keyspace calls waiting at once (each holds its own Redis connections). */
  maxListeners: number;
}

export interface ServerConfig {
  /** As given: it may hold a password, so it goes to `connect()` only; messages show `target.display`. */
  url: string;
  /** Where the connection goes (host, port, db, cluster), checked at start and without credentials. */
  target: ConnectionTarget;
  tls: { ca?: string; cert?: string; key?: string } | undefined;
  readOnly: boolean;
  /**
   * List each tool's output schema in `tools/list`. Off by default: models call tools from names, descriptions and
   * input schemas, and the output schemas would be a third of the listing's tokens. Results are validated against
   * them by the server either way.
   */
  outputSchemas: boolean;
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

export const DEFAULT_LIMITS: Limits = {
  defaultTtl: 3600,
  maxValueBytes: 100 * 1024,
  maxItems: 100,
  maxWaitMs: 10_000,
  maxNameBytes: 1024,
  maxAnswerBytes: 1024 * 1024,
  maxReadElements: 10_000,
  maxListeners: 10,
};

/** Bounds on the bounds: one call never pipelines or unpacks more than this many items. */
const MAX_ITEMS_CEILING = 1000;

export const USAGE = `redis-mcp-server: a Redis 8 / Valkey MCP server with guarded, typed tools.

  --url <url>              redis://host:port[/db] or rediss:// (TLS). Default: REDIS_URL, then redis://127.0.0.1:6379
  --tls-ca/--tls-cert/--tls-key <file>   PEM files (default REDIS_TLS_CA, REDIS_TLS_CERT, REDIS_TLS_KEY)
  --cluster-mode           use the cluster client (default REDIS_CLUSTER)
  --read-only              register read operations only
  --output-schemas         list each tool's output schema too (results match it either way; costs tokens)
  --profile <name>         tool set: default, full, read, data, app, ops (default: default)
  --tools <g1,g2>          explicit groups instead of a profile: keys,strings,hashes,lists,sets,zsets,streams,json,
                           pubsub,sessions,cache,ratelimit,queue,memory,vector,server,audit,docs
  --default-ttl <s>        TTL for writes without ttl (default 3600; 0 = refuse them)
  --max-value-bytes <n>    largest value stored (default 102400)
  --max-items <n>          most items in or out of one call (default 100, at most 1000)
  --max-wait-ms <n>        longest subscribe/watch wait (default 10000)
  --max-name-bytes <n>     longest key, field, member name or id a call may give (default 1024)
  --max-answer-bytes <n>   largest answer; a longer string value comes in parts (default 1048576)
  --max-read-elements <n>  most elements one read may make the server touch (set algebra, offsets; default 10000)
  --max-listeners <n>      most subscribe/keyspace calls waiting at once (default 10)
  --service <name>         session key namespace (default mcp)
  --command-timeout-ms <n> fail a Redis command after this long (default 5000)
  --transport stdio|http   default stdio
  --host <addr> --port <n> HTTP bind (default 127.0.0.1:3000); binding beyond loopback needs REDIS_MCP_HTTP_TOKEN
  --allowed-hosts <h1,h2>  Host/Origin names accepted besides 127.0.0.1, localhost and [::1] with the bound port
                           (name or name:port; every other Host or Origin gets 403, against DNS rebinding)
  --version                print the version and exit
Credentials: REDIS_USERNAME, REDIS_PASSWORD (never put them in flags or files).`;

const FLAGS = {
  url: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'cluster-mode': { type: 'boolean' },
  'read-only': { type: 'boolean' },
  'output-schemas': { type: 'boolean' },
  profile: { type: 'string' },
  tools: { type: 'string' },
  'default-ttl': { type: 'string' },
  'max-value-bytes': { type: 'string' },
  'max-items': { type: 'string' },
  'max-wait-ms': { type: 'string' },
  'max-name-bytes': { type: 'string' },
  'max-answer-bytes': { type: 'string' },
  'max-read-elements': { type: 'string' },
  'max-listeners': { type: 'string' },
  service: { type: 'string' },
  'command-timeout-ms': { type: 'string' },
  transport: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'allowed-hosts': { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>['values'];

/** The command line as typed values; a mistake is a ConfigError with the usage text. */
function readFlags(argv: string[]): Flags {
  try {
    return parseArgs({ args: argv, strict: true, options: FLAGS }).values;
  } catch (error) {
    throw new ConfigError(`${redactUrl((error as Error).message)}\n\n${USAGE}`);
  }
}

function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** A bind address on this machine only. Exact addresses: `127.0.0.1.attacker.example` is a name, not loopback. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The Redis URL (--url, else REDIS_URL), checked by the connection factory's own parser, and the TLS files. */
function redisConfig(flags: Flags, env: NodeJS.ProcessEnv): Pick<ServerConfig, 'url' | 'target' | 'tls'> {
  const url = flags.url ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let target: ConnectionTarget;
  try {
    target = connectionTarget({ url, env, ...(flags['cluster-mode'] ? { cluster: true } : {}) });
  } catch (error) {
    if (!(error instanceof RedisConnectionError)) throw error;
    throw new ConfigError(`${flags.url === undefined ? 'REDIS_URL' : '--url'}: ${error.message}`);
  }
  const tls = {
    ...(flags['tls-ca'] ? { ca: flags['tls-ca'] } : {}),
    ...(flags['tls-cert'] ? { cert: flags['tls-cert'] } : {}),
    ...(flags['tls-key'] ? { key: flags['tls-key'] } : {}),
  };
  return { url, target, tls: Object.keys(tls).length ? tls : undefined };
}

/** stdio, or HTTP on a host and port; beyond loopback HTTP needs a bearer token. */
function transportConfig(flags: Flags, env: NodeJS.ProcessEnv): Pick<ServerConfig, 'transport' | 'http'> {
  const transport = flags.transport ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') {
    throw new ConfigError(`--transport must be stdio or http, got "${transport}"`);
  }
  const host = flags.host ?? '127.0.0.1';
  const token = env.REDIS_MCP_HTTP_TOKEN || undefined;
  if (transport === 'http' && !isLoopback(host) && !token) {
    throw new ConfigError(
      `--host ${host} is reachable beyond this machine: set REDIS_MCP_HTTP_TOKEN to a long random secret (clients send it as a bearer token)`,
    );
  }
  const allowedHosts = (flags['allowed-hosts'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return { transport, http: { host, port: positiveInt('port', flags.port, 3000, 0), token, allowedHosts } };
}

function limitsConfig(flags: Flags): Limits {
  return {
    defaultTtl: positiveInt('default-ttl', flags['default-ttl'], DEFAULT_LIMITS.defaultTtl, 0),
    maxValueBytes: positiveInt('max-value-bytes', flags['max-value-bytes'], DEFAULT_LIMITS.maxValueBytes),
    maxItems: positiveInt('max-items', flags['max-items'], DEFAULT_LIMITS.maxItems, 1, MAX_ITEMS_CEILING),
    maxWaitMs: positiveInt('max-wait-ms', flags['max-wait-ms'], DEFAULT_LIMITS.maxWaitMs),
    maxNameBytes: positiveInt('max-name-bytes', flags['max-name-bytes'], DEFAULT_LIMITS.maxNameBytes),
    // An answer must at least hold a page of small items and the error text that says how to read in parts.
    maxAnswerBytes: positiveInt('max-answer-bytes', flags['max-answer-bytes'], DEFAULT_LIMITS.maxAnswerBytes, 4096),
    maxReadElements: positiveInt('max-read-elements', flags['max-read-elements'], DEFAULT_LIMITS.maxReadElements),
    maxListeners: positiveInt('max-listeners', flags['max-listeners'], DEFAULT_LIMITS.maxListeners),
  };
}

function serviceName(flags: Flags): string {
  const service = flags.service ?? 'mcp';
  if (!/^[\w.-]+$/.test(service)) throw new ConfigError(`--service must be letters, digits, "_", "." or "-"`);
  return service;
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
  const flags = readFlags(argv);
  const redis = redisConfig(flags, env);
  const transport = transportConfig(flags, env);
  const selection = resolveGroups(flags.tools, flags.profile);
  return {
    ...redis,
    readOnly: flags['read-only'] === true || selection.readOnly,
    outputSchemas: flags['output-schemas'] === true,
    groups: selection.groups,
    limits: limitsConfig(flags),
    service: serviceName(flags),
    commandTimeoutMs: positiveInt('command-timeout-ms', flags['command-timeout-ms'], 5000),
    ...transport,
  };
}
