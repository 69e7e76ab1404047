/**
 * The one connection factory every package of redis-agent-kit uses.
 *
 * - a URL (`redis://`, `rediss://` for TLS) or explicit options; defaults come from the environment
 *   (REDIS_URL, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS_CA/CERT/KEY file paths, REDIS_CLUSTER);
 * - cluster mode with ioredis' Cluster client, optionally with a NAT map (Docker port mapping);
 * - finite retries: a command is retried on at most `maxRetriesPerRequest` reconnections, and the
 *   initial connection gives up after `connectAttempts`, so callers see an error instead of a hang;
 * - the password never appears in an error: every error leaving this module is redacted.
 */
import { readFileSync } from 'node:fs';
import { Cluster, type ClusterOptions, type NatMap, Redis, type RedisOptions } from 'ioredis';
import { describeUrlProblem, redactError } from './redact.ts';
import { withTimeout } from './timeout.ts';

/** A standalone client or a cluster client: both speak the same commands. */
export type RedisClient = Redis | Cluster;

export interface TlsFiles {
  /** PEM contents or a path to a PEM file. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Defaults to true; only turn off for a test server with a self-signed certificate. */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface ConnectionOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://…`. Defaults to REDIS_URL, then redis://127.0.0.1:6379. */
  url?: string;
  /** Further cluster seed nodes (host:port or URLs). */
  nodes?: string[];
  /** Use the cluster client. Defaults to REDIS_CLUSTER=1|true. */
  cluster?: boolean;
  /** Override the URL's credentials; default REDIS_USERNAME / REDIS_PASSWORD. */
  username?: string;
  password?: string;
  /** TLS material; `rediss://` turns TLS on even without it. Default: REDIS_TLS_CA, REDIS_TLS_CERT, REDIS_TLS_KEY (file paths). */
  tls?: TlsFiles;
  /** Client name shown in CLIENT LIST. */
  name?: string;
  /** Retries of one command across reconnections (never infinite). Default 2. */
  maxRetriesPerRequest?: number;
  /** Attempts to establish the first connection before `connect()` fails. Default 3. */
  connectAttempts?: number;
  /** Keep reconnecting after the first connection was made (the app recovers when the server returns). Default true. */
  reconnect?: boolean;
  connectTimeoutMs?: number;
  /** Fail a command that has no reply after this long. Default: none (5 s with `offlineQueue: false`). */
  commandTimeoutMs?: number;
  /** Cluster nodes announced under addresses the client cannot reach (Docker port mapping). */
  natMap?: NatMap;
  /**
   * Queue commands while disconnected (default true). false fails them at once, and also never re-sends a command
   * that was in flight when the connection dropped: a caller that already gave up on it (a rate limiter that
   * decided by its outage policy) must not have it run later on the restarted server. ioredis then drops such a
   * command without settling it, so without an offline queue `commandTimeoutMs` defaults to 5 s: every command
   * settles.
   */
  offlineQueue?: boolean;
  /** Wait for INFO to report the dataset loaded (default true); false for users whose ACL denies INFO. */
  readyCheck?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A connection problem, already redacted, with a hint saying what to do. */
export class RedisConnectionError extends Error {
  override readonly name = 'RedisConnectionError';
  readonly target: string;
  constructor(message: string, target: string) {
    super(message);
    this.target = target;
  }
}

/** Where a connection goes, without its credentials: what configuration checks, messages and key-space math need. */
export interface ConnectionTarget {
  host: string;
  port: number;
  db: number;
  /** `rediss://`/`valkeys://`, or TLS material given in the options. */
  tls: boolean;
  cluster: boolean;
  /** The URL as it may be shown: no password. */
  display: string;
}

interface Resolved extends Omit<ConnectionTarget, 'tls'> {
  username: string | undefined;
  password: string | undefined;
  tls: RedisOptions['tls'] | undefined;
  seeds: { host: string; port: number }[];
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';
const SCHEMES = ['redis:', 'rediss:', 'valkey:', 'valkeys:'];
const EXPECTED = 'expected redis://[user:password@]host[:port][/db], or rediss://… for TLS';

/** A URL's scheme and authority, for messages: nothing before the last `@` (where a password would be) is kept. */
function showRefusedUrl(raw: string): string {
  const at = raw.lastIndexOf('@');
  return at < 0 ? raw : `${/^[^:]*:\/*/.exec(raw)?.[0] ?? ''}***@${raw.slice(at + 1)}`;
}

/** The URL with its password replaced, built from the parsed parts (a password with an `@` in it stays hidden). */
function showUrl(url: URL): string {
  const user = url.username || url.password ? `${url.username}${url.password ? ':***' : ''}@` : '';
  return `${url.protocol}//${user}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Parses and checks a Redis URL; every refusal is a RedisConnectionError that shows no password. */
function parseRedisUrl(raw: string): {
  url: URL;
  host: string;
  port: number;
  db: number;
  secure: boolean;
  display: string;
} {
  const start = /^[^:/]*:\/*/.exec(raw)?.[0] ?? '';
  if (!SCHEMES.includes(start.replace(/\/+$/, '')) || !start.endsWith('//')) {
    // Only the scheme is echoed: a URL this far off may carry a password in a place no redactor recognises.
    throw new RedisConnectionError(
      `A Redis URL must start with redis:// or rediss:// (TLS), got one starting "${start}"`,
      `${start}…`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const problem = describeUrlProblem(raw) ?? 'it does not parse';
    throw new RedisConnectionError(
      `Invalid Redis URL "${showRefusedUrl(raw)}": ${problem}; ${EXPECTED} (percent-encode special characters in the password, or pass it in REDIS_PASSWORD)`,
      showRefusedUrl(raw),
    );
  }
  const db = Number(url.pathname.slice(1) || 0);
  if (!Number.isInteger(db) || db < 0) {
    throw new RedisConnectionError(
      `Invalid Redis URL "${showUrl(url)}": the database must be a number; ${EXPECTED}`,
      showUrl(url),
    );
  }
  return {
    url,
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(url.port || 6379),
    db,
    secure: url.protocol === 'rediss:' || url.protocol === 'valkeys:',
    display: showUrl(url),
  };
}

function wantsCluster(options: ConnectionOptions, env: NodeJS.ProcessEnv): boolean {
  return options.cluster ?? /^(1|true|yes)$/i.test(env.REDIS_CLUSTER ?? '');
}

/**
 * Where `connect(options)` would go, checked like `connect` checks it (URL, scheme, REDIS_URL, REDIS_CLUSTER), but
 * without credentials or TLS files: for configuration that validates early and for messages.
 */
export function connectionTarget(options: ConnectionOptions = {}): ConnectionTarget {
  const env = options.env ?? process.env;
  const { url: _url, secure, ...target } = parseRedisUrl(options.url ?? env.REDIS_URL ?? DEFAULT_URL);
  return { ...target, tls: secure || options.tls !== undefined, cluster: wantsCluster(options, env) };
}

function readPem(value: string | Buffer | undefined): string | Buffer | undefined {
  if (value === undefined || Buffer.isBuffer(value)) return value;
  return value.includes('-----BEGIN') ? value : readFileSync(value);
}

/** A userinfo part as typed: percent-decoded, or as it is when a literal `%` makes it undecodable. */
function decodeUserinfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseHostPort(spec: string): { host: string; port: number } {
  const url = new URL(spec.includes('://') ? spec : `redis://${spec}`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) };
}

function tlsOptions(options: ConnectionOptions, env: NodeJS.ProcessEnv): RedisOptions['tls'] {
  const files: TlsFiles = options.tls ?? {
    ...(env.REDIS_TLS_CA ? { ca: env.REDIS_TLS_CA } : {}),
    ...(env.REDIS_TLS_CERT ? { cert: env.REDIS_TLS_CERT } : {}),
    ...(env.REDIS_TLS_KEY ? { key: env.REDIS_TLS_KEY } : {}),
  };
  return {
    ca: readPem(files.ca),
    cert: readPem(files.cert),
    key: readPem(files.key),
    rejectUnauthorized: files.rejectUnauthorized ?? true,
    ...(files.servername ? { servername: files.servername } : {}),
  };
}

/**
 * Everything the client factory needs, credentials included, so never for display: a caller that needs only where
 * the connection goes uses `connectionTarget`.
 */
export function resolveConnection(options: ConnectionOptions = {}): Resolved {
  const env = options.env ?? process.env;
  const { url, secure, ...target } = parseRedisUrl(options.url ?? env.REDIS_URL ?? DEFAULT_URL);
  return {
    ...target,
    username: options.username ?? (url.username ? decodeUserinfo(url.username) : env.REDIS_USERNAME),
    password: options.password ?? (url.password ? decodeUserinfo(url.password) : env.REDIS_PASSWORD),
    tls: secure || options.tls !== undefined ? tlsOptions(options, env) : undefined,
    cluster: wantsCluster(options, env),
    seeds: [{ host: target.host, port: target.port }, ...(options.nodes ?? []).map(parseHostPort)],
  };
}

/**
 * What `connect()` would use, credentials included, for handing to another client library (node-redis, which
 * connect-redis needs), so that it honours REDIS_URL, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS_* and REDIS_CLUSTER
 * exactly as this factory does. The password and the TLS material are non-enumerable properties: JSON, util.inspect,
 * spreading and string conversion never show them; read them by name.
 */
export interface ConnectionSettings extends ConnectionTarget {
  readonly username: string | undefined;
  /** Non-enumerable. */
  readonly password: string | undefined;
  /** Options for `tls.connect` (ca, cert, key read from their files), non-enumerable; undefined without TLS. */
  readonly tlsOptions: RedisOptions['tls'] | undefined;
  /** Cluster seed nodes: the URL's host, then `nodes`. */
  readonly seeds: readonly { host: string; port: number }[];
}

export function connectionSettings(options: ConnectionOptions = {}): ConnectionSettings {
  const { password, tls, ...shown } = resolveConnection(options);
  const settings = { ...shown, tls: tls !== undefined };
  Object.defineProperties(settings, {
    password: { value: password, enumerable: false },
    tlsOptions: { value: tls, enumerable: false },
  });
  return settings as unknown as ConnectionSettings;
}

/**
 * Creates a client without waiting for it. Prefer `connect()`, which waits until the server answers
 * and fails with one clear, redacted error otherwise.
 */
export function createClient(options: ConnectionOptions = {}): RedisClient {
  const r = resolveConnection(options);
  const secrets = [r.password];
  const connectAttempts = options.connectAttempts ?? 3;
  const reconnect = options.reconnect ?? true;
  let everReady = false;
  // Backoff capped at 2 s; before the first success we give up after `connectAttempts`.
  const retryStrategy = (times: number): number | null => {
    if (!everReady && times >= connectAttempts) return null;
    if (everReady && !reconnect) return null;
    return Math.min(50 * 2 ** times, 2000);
  };
  const commandTimeout = options.commandTimeoutMs ?? (options.offlineQueue === false ? 5000 : undefined);
  const common: RedisOptions = {
    ...(r.username ? { username: r.username } : {}),
    ...(r.password ? { password: r.password } : {}),
    ...(r.tls ? { tls: r.tls } : {}),
    ...(options.name ? { connectionName: options.name } : {}),
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 2,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    ...(commandTimeout ? { commandTimeout } : {}),
    enableOfflineQueue: options.offlineQueue ?? true,
    autoResendUnfulfilledCommands: options.offlineQueue ?? true,
    enableReadyCheck: options.readyCheck ?? true,
  };
  let client: RedisClient;
  if (r.cluster) {
    const clusterOptions: ClusterOptions = {
      redisOptions: common,
      clusterRetryStrategy: retryStrategy,
      enableOfflineQueue: options.offlineQueue ?? true,
      maxRedirections: 16,
      ...(options.natMap ? { natMap: options.natMap } : {}),
      // TLS certificates name the host, not the IP a node announces.
      ...(r.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    };
    client = new Cluster(r.seeds, clusterOptions);
  } else {
    client = new Redis({ ...common, host: r.host, port: r.port, db: r.db, retryStrategy });
  }
  client.on('ready', () => {
    everReady = true;
  });
  // Without a listener ioredis prints unhandled error events; callers attach their own for logging.
  client.on('error', () => {});
  (client as RedisClient & { [SECRETS]: (string | undefined)[] })[SECRETS] = secrets;
  (client as RedisClient & { [DISPLAY]: string })[DISPLAY] = r.display;
  return client;
}

const SECRETS = Symbol('redis-agent-kit.secrets');
const DISPLAY = Symbol('redis-agent-kit.display');

/** The redacted URL a client was made from, for messages. */
export function describeClient(client: RedisClient): string {
  return (client as RedisClient & { [DISPLAY]?: string })[DISPLAY] ?? 'redis';
}

/** Redacts this client's password (and any URL password) from an error. */
export function redactClientError(client: RedisClient, error: unknown): Error {
  return redactError(error, (client as RedisClient & { [SECRETS]?: (string | undefined)[] })[SECRETS] ?? []);
}

/**
 * Resolves when a new client is ready; rejects with its last connection error (unredacted: pass it through
 * redactClientError) when it gives up, i.e. when the retry strategy ends the connection.
 */
export function whenReady(client: RedisClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const onError = (error: Error) => {
      lastError = error;
    };
    client.on('error', onError);
    client.once('ready', () => {
      client.off('error', onError);
      resolve();
    });
    client.once('end', () => {
      client.off('error', onError);
      reject(lastError ?? new Error('connection closed'));
    });
  });
}

/** Creates a client and waits until it is ready, or throws one redacted RedisConnectionError. */
export async function connect(options: ConnectionOptions = {}): Promise<RedisClient> {
  const client = createClient(options);
  const display = describeClient(client);
  try {
    await whenReady(client);
    return client;
  } catch (error) {
    client.disconnect();
    const reason = redactClientError(client, error).message;
    throw new RedisConnectionError(
      `Cannot connect to ${display}: ${reason}. Check that the server runs and that REDIS_URL, the credentials and TLS settings are right.`,
      display,
    );
  }
}

/** Closes a client gracefully, falling back to a hard disconnect if the server does not answer. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await withTimeout(client.quit(), 1000, () => new Error('quit timeout'));
  } catch {
    client.disconnect();
  }
}
