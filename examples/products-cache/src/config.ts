/** The example's settings, from the environment (REDIS_URL and the other REDIS_* variables go to connect()). */
export interface Config {
  port: number;
  /** The `{service}` part of the keys: `{namespace}:product:{id}`. */
  namespace: string;
  ttlMs: number;
  staleGraceMs: number;
  /** Simulated latency of the embedded repository, so the cache's effect shows. */
  originLatencyMs: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: number(env, 'PORT', 3000),
    namespace: env.CACHE_NAMESPACE || 'cache',
    ttlMs: number(env, 'CACHE_TTL_SECONDS', 300) * 1000,
    staleGraceMs: number(env, 'CACHE_STALE_SECONDS', 60) * 1000,
    originLatencyMs: number(env, 'ORIGIN_LATENCY_MS', 50),
  };
}
