/** The example's settings, from the environment (REDIS_URL and the other REDIS_* variables go to connect()). */
export interface Config {
  port: number;
  /** The `{service}` part of the keys: `{namespace}:product:{id}`. */
  namespace: string;
  ttlMs: number;
  staleGraceMs: number;
  /** How long the repository's "not found" is cached (negative caching); 0 turns it off. */
  notFoundTtlMs: number;
  /** The near cache (L1): off, on with per-key tracking, or on with broadcast tracking of the namespace. */
  l1: 'off' | 'on' | 'bcast';
  /** Simulated latency of the embedded repository, so the cache's effect shows. */
  originLatencyMs: number;
  /** Simulates an outage of the repository this long after start, to watch STALE answers; undefined: never. */
  originFailsAfterMs: number | undefined;
}

function number<F extends number | undefined>(env: NodeJS.ProcessEnv, name: string, fallback: F): number | F {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got "${raw}"`);
  return value;
}

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}

function l1Mode(raw: string | undefined): Config['l1'] {
  if (raw === undefined || raw === '') return 'off';
  if (raw === 'off' || raw === 'on' || raw === 'bcast') return raw;
  throw new Error(`CACHE_L1 must be off, on or bcast, got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: number(env, 'PORT', 3000),
    namespace: env.CACHE_NAMESPACE || 'cache',
    ttlMs: number(env, 'CACHE_TTL_SECONDS', 300) * 1000,
    staleGraceMs: number(env, 'CACHE_STALE_SECONDS', 60) * 1000,
    notFoundTtlMs: number(env, 'CACHE_NOT_FOUND_SECONDS', 10) * 1000,
    l1: l1Mode(env.CACHE_L1),
    originLatencyMs: number(env, 'ORIGIN_LATENCY_MS', 50),
    originFailsAfterMs: seconds(number(env, 'ORIGIN_FAILS_AFTER_SECONDS', undefined)),
  };
}
