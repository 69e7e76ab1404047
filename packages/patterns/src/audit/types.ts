/** The shapes of a key audit: options, one inspected key, findings and the report (mirrors key-audit-schema.json). */
import type { Capabilities, CapabilityName, ServerKind } from '../capabilities.ts';

export type KeyType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'stream' | (string & {});
export type Severity = 'info' | 'warning' | 'error';

/** One key as the inspector saw it. */
export interface KeyRecord {
  key: string;
  type: KeyType;
  /** Milliseconds to live; -1 when the key has no TTL. */
  ttlMs: number;
  /** MEMORY USAGE, or an estimate (key + STRLEN, key + one byte per element) when MEMORY USAGE is denied. */
  bytes: number;
  /** Elements of a collection (HLEN, LLEN, SCARD, ZCARD, XLEN), STRLEN of a string when read. */
  length?: number;
  /** The first bytes of a string value, read only when a rule asked for it. */
  head?: string;
}

export interface AuditOptions {
  /** SCAN MATCH pattern (server-side filter); default every key. */
  match?: string;
  /** SCAN COUNT per call, bounded so each call stays short. Default 1000, at most 10000. */
  scanCount?: number;
  /** MEMORY USAGE … SAMPLES: nested values sampled per collection, 0 for all. Default 5 (the server's default). */
  memorySamples?: number;
  /** Cap on commands per second over all nodes (SCAN and per-key commands), to protect production latency. */
  maxOpsPerSecond?: number;
  /**
   * Inspect keys with a read-only Lua script per slice of keys (default true): one command per slice instead of
   * three or four per key. Falls back to pipelined commands when the user may not run scripts.
   */
  useScripts?: boolean;
  /** Inspect at most this many keys (over all masters, in proportion to their sizes) and estimate the rest. */
  sampleKeys?: number;
  /** Depth of the prefix tree over ':' segments. Default 3. */
  prefixDepth?: number;
  /** Children kept per prefix node while counting; further distinct segments fold into `*`. Default 200. */
  maxPrefixChildren?: number;
  /** Entries listed per report table (top big keys, top prefixes, prefix children). Default 20. */
  top?: number;
  /** Keys at or over this many bytes are "big keys". Default 10 KB. */
  bigKeyBytes?: number;
  /** A collection with more elements than this is a finding. Default 10,000. */
  largeCollectionLength?: number;
  /** A value over this many bytes is a finding. Default 100 KB. */
  hugeValueBytes?: number;
  /** The server's capabilities when the caller has probed them already (the MCP server does at start). */
  capabilities?: Capabilities;
  /** Called after each batch. */
  onProgress?: (progress: AuditProgress) => void;
  signal?: AbortSignal;
}

/** The defaults of `AuditOptions` (no ops cap, no sampling, scripts on, unless asked). */
export const AUDIT_DEFAULTS = {
  match: '*',
  scanCount: 1000,
  memorySamples: 5,
  prefixDepth: 3,
  maxPrefixChildren: 200,
  top: 20,
  bigKeyBytes: 10 * 1024,
  largeCollectionLength: 10_000,
  hugeValueBytes: 100 * 1024,
  useScripts: true,
} as const;

export interface AuditProgress {
  /** Keys inspected so far over all masters, and the goal (DBSIZE summed, or the sample size). */
  scanned: number;
  goal: number;
  nodesDone: number;
  nodes: number;
  elapsedMs: number;
}

export interface Estimate {
  value: number;
  /** 95% confidence interval of a sampled audit (equal to value when every key was inspected). */
  low: number;
  high: number;
}

export interface PrefixNode {
  /** `cache:user` for keys `cache:user:…`; `*` folds segments beyond maxPrefixChildren; '' is the root. */
  prefix: string;
  keys: number;
  bytes: number;
  keysWithoutTtl: number;
  bytesWithoutTtl: number;
  /** Scaled to the whole keyspace when the audit sampled. */
  estimatedKeys?: Estimate;
  estimatedBytes?: Estimate;
  children?: PrefixNode[];
  /** Children beyond `top`, summed. */
  otherChildren?: { count: number; keys: number; bytes: number };
}

export interface BigKey {
  key: string;
  type: KeyType;
  bytes: number;
  length?: number;
  ttlMs: number;
}

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  /** Keys matched (of those inspected). */
  count: number;
  /** Up to ten of them. */
  keys: string[];
  /** Prefixes where the matches concentrate, when that is what to act on. */
  prefixes?: string[];
  fix: string;
}

export interface RuleStatus {
  rule: string;
  applied: boolean;
  /** Why a rule did not run (a missing capability), or what it needed. */
  reason?: string;
}

export interface NodeReport {
  /** host:port of the master. */
  node: string;
  dbsize: number;
  scanned: number;
  scanCalls: number;
}

export interface AuditReport {
  target: string;
  generatedAt: string;
  durationMs: number;
  server: { kind: ServerKind; version: string; cluster: boolean; capabilities: Record<CapabilityName, boolean> };
  options: {
    match: string;
    scanCount: number;
    memorySamples: number;
    maxOpsPerSecond: number | null;
    sampleKeys: number | null;
    prefixDepth: number;
    bigKeyBytes: number;
  };
  /** How sizes were measured: MEMORY USAGE, or estimates when the user may not run it. */
  bytesSource: 'memory-usage' | 'estimate';
  /** How keys were inspected: a read-only script per slice of keys, or pipelined commands. */
  inspection: 'script' | 'pipeline';
  totals: {
    /** DBSIZE summed over the masters (every key, not only those matching `match`). */
    dbsize: number;
    /** Keys inspected. */
    scanned: number;
    bytes: number;
    keysWithoutTtl: number;
    /** Keys SCAN returned that were gone before they were inspected. */
    vanished: number;
    sampled: boolean;
    estimatedKeys?: Estimate;
    estimatedBytes?: Estimate;
    commands: number;
  };
  nodes: NodeReport[];
  prefixes: PrefixNode;
  types: Record<string, { keys: number; bytes: number }>;
  withoutTtl: {
    keys: number;
    bytes: number;
    topPrefixes: { prefix: string; keys: number; bytes: number }[];
    samples: string[];
  };
  bigKeys: { thresholdBytes: number; keys: number; bytes: number; top: BigKey[] };
  findings: Finding[];
  rules: RuleStatus[];
  notes: string[];
}
