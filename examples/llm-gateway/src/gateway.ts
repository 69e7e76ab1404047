/** The gateway's Redis parts, from the environment: the semantic cache (scoped by model and context) and working memory. */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { createWorkingMemory, type WorkingMemory } from '@redis-agent-kit/patterns/memory';
import {
  createSemanticCache,
  SEMANTIC_CACHE_DEFAULTS,
  type SemanticCache,
} from '@redis-agent-kit/patterns/semantic-cache';
import type { Embedder } from '@redis-agent-kit/patterns/vector';

export interface GatewayConfig {
  /** First part of every key. */
  prefix: string;
  /** SEMANTIC_THRESHOLD: pick it with `npm run calibrate`. */
  threshold: number;
  /** CACHE_TTL_S: how long an answer is served from the cache. */
  ttlMs: number;
  /** SESSION_TTL_S: an idle session's working memory is gone after this. */
  sessionTtlMs: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (n: number) => boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!valid(n)) throw new RangeError(`${name} is "${raw}": not a valid value`);
  return n;
}

export function gatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const seconds = (n: number) => Number.isInteger(n) && n > 0;
  return {
    prefix: env.GATEWAY_PREFIX || 'llm-gateway',
    threshold: number(env, 'SEMANTIC_THRESHOLD', SEMANTIC_CACHE_DEFAULTS.threshold, (n) => n > 0 && n <= 1),
    ttlMs: number(env, 'CACHE_TTL_S', 3600, seconds) * 1000,
    sessionTtlMs: number(env, 'SESSION_TTL_S', 24 * 3600, seconds) * 1000,
  };
}

export function createGateway(
  client: RedisClient,
  embedder: Embedder,
  config: GatewayConfig,
): { cache: SemanticCache; memory: WorkingMemory } {
  return {
    cache: createSemanticCache(client, {
      embedder,
      scopeFields: ['model', 'context'],
      prefix: config.prefix,
      threshold: config.threshold,
      ttlMs: config.ttlMs,
    }),
    memory: createWorkingMemory(client, { prefix: config.prefix, ttlMs: config.sessionTtlMs }),
  };
}
