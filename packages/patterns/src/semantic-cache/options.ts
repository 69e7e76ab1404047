/** What a semantic cache is configured with, and the defaults, in one place (as ioredis keeps its own). */
import type { Capabilities } from '../capabilities.ts';
import type { Embedder } from '../vector/embedders/embedder.ts';

export interface SemanticCacheOptions {
  /** Turns prompts into vectors; the cache's vector sets take its dimension. */
  embedder: Embedder;
  /**
   * The fields every `check`/`store` must name (e.g. `['tenant', 'model', 'systemPrompt']`). Each distinct scope is
   * its own vector set, so a hit can only come from the same scope: a hard filter, never a similarity effect.
   */
  scopeFields: readonly string[];
  /** The cache's name, part of every key: `<prefix>:<name>:{<scope id>}:…`. Default `llm`. */
  name?: string;
  /** First part of every key. Default `semcache`. */
  prefix?: string;
  /** Lowest similarity, (1 + cos) / 2 in [0, 1], that counts as a hit. Default 0.95 (cosine 0.9). Pick it with the calibration command. */
  threshold?: number;
  /** How long a stored answer lives, unless `store` says otherwise. Default 1 h. */
  ttlMs?: number;
  /** Nearest neighbours a `check` looks at: the first one alive at or above the threshold is the hit. Default 3. */
  candidates?: number;
  /** Expired entries removed from a scope's vector set after each store (and per scope by `sweep()`). Default 20. */
  sweepBatch?: number;
  /** Largest prompt accepted, in UTF-8 bytes. Default 32 KiB. */
  maxPromptBytes?: number;
  /** Largest stored entry (prompt, answer and metadata as JSON), in bytes. Default 100 KiB. */
  maxEntryBytes?: number;
  /** Storage of each vector set (fixed at its first store). Default Q8. */
  quantization?: 'NOQUANT' | 'Q8' | 'BIN';
  /** Deadline of every Redis command the cache sends. Default 5 s. */
  commandTimeoutMs?: number;
  /** The server's capabilities when already probed; probed on first use otherwise. */
  capabilities?: Capabilities;
}

export const SEMANTIC_CACHE_DEFAULTS = {
  name: 'llm',
  prefix: 'semcache',
  threshold: 0.95,
  ttlMs: 60 * 60 * 1000,
  candidates: 3,
  sweepBatch: 20,
  maxPromptBytes: 32 * 1024,
  maxEntryBytes: 100 * 1024,
  quantization: 'Q8',
  commandTimeoutMs: 5000,
} as const;

/** Longest scope value accepted, in characters. */
export const MAX_SCOPE_VALUE_CHARS = 256;
