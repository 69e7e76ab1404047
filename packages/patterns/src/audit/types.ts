/** The shapes of a key audit: options, one inspected key, findings and the report (mirrors key-audit-schema.json). */
import type { Capabilities, CapabilityName, ServerKind } from '../capabilities.ts';
import type { ByteString } from './key-name.ts';

export type KeyType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'stream' | (string & {});
export type Severity = 'info' | 'warning' | 'error';

/** One key as the inspector saw it. */
export interface KeyRecord {
  /** The name's bytes as a byte string (key-name.ts). */
  key: ByteString;
  type: KeyType;
  /** Milliseconds to live; -1 when the key has no TTL. */
  ttlMs: number;
  /** MEMORY USAGE, or an estimate (key + STRLEN, key + one byte per element) when MEMORY USAGE is denied. */
  bytes: number;
  /** Elements of a collection (HLEN, LLEN, SCARD, ZCARD, XLEN), STRLEN of a string when read. */
  length?: number;
  /** The first bytes of a string value (a byte string), read only when a rule asked for it. */
  head?: ByteString;
  /** The separator the key's name is split by (separators.ts); undefined outside any namespace. */
  separator?: string;
  /** In a sampled audit, a key of the tail (inspected because it is big, not drawn at random). */
  tail?: boolean;
}

export interface AuditOptions {
  /** SCAN MATCH pattern (server-side filter); default every key. */
  match?: string;
  /** SCAN COUNT per call, bounded so each call stays short (about 1 µs of server time a bucket). Default 50, at most 10000. */
  scanCount?: number;
  /** MEMORY USAGE … SAMPLES: nested values sampled per collection, 0 for all. Default 5 (the server's default). */
  memorySamples?: number;
  /** Cap on commands per second over all nodes (SCAN and per-key commands), to protect production latency. */
  maxOpsPerSecond?: number;
  /**
   * Deadline of every command the audit sends, in ms (default 5000): a server that does not answer in time (frozen,
   * overloaded, a port that accepts and never replies) ends the audit with an AuditTimeoutError naming it.
   */
  commandTimeoutMs?: number;
  /**
   * Server time aimed for per inspection command, in ms (default 0.05): slices of keys are sized from measured
   * cost so that no single command holds the server for long.
   */
  commandTargetMs?: number;
  /**
   * Inspect keys with a read-only Lua script per slice of keys (default true): one command per slice instead of
   * three or four per key. Falls back to pipelined commands when the user may not run scripts.
   */
  useScripts?: boolean;
  /**
   * Inspect this many keys (over all masters, in proportion to their sizes) and estimate the rest with 95%
   * intervals. By default they are the first keys from a random cursor: cheap on any keyspace, but the intervals
   * cannot account for a big key the sample missed. See `sizePass`.
   */
  sampleKeys?: number;
  /**
   * With `sampleKeys`: first size every key in a light pass (MEMORY USAGE in a script; only the big keys come back
   * by name), then inspect in full the keys of at least `bigKeyBytes` and `sampleKeys` of the others drawn at random
   * (reservoir sampling). Totals are then exact and the intervals hold on heavy-tailed keyspaces, at the cost of
   * one MEMORY USAGE per key. Default false.
   */
  sizePass?: boolean;
  /**
   * Characters that separate the segments of key names, in order of preference (e.g. ':/'). Default: detected
   * from the names (`:` `/` `|` `.` `#` `-` `_`), and the report says which were used.
   */
  separators?: string;
  /** Depth of the prefix tree over name segments. Default 3. */
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
  scanCount: 50,
  memorySamples: 5,
  prefixDepth: 3,
  maxPrefixChildren: 200,
  top: 20,
  bigKeyBytes: 10 * 1024,
  largeCollectionLength: 10_000,
  hugeValueBytes: 100 * 1024,
  useScripts: true,
  sizePass: false,
  commandTimeoutMs: 5000,
  commandTargetMs: 0.05,
} as const;

export interface AuditProgress {
  /** Keys inspected so far over all masters, and the goal (DBSIZE summed, or the sample size; null when unknown). */
  scanned: number;
  goal: number | null;
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

/** A distribution of sizes in bytes (log-scale buckets: percentiles within 4.4%). */
export interface Distribution {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  average: number;
}

/** Keys whose TTL has less than `maxMs` left (and at least the previous bucket's); `maxMs` null: the rest. */
export interface TtlBucket {
  label: string;
  maxMs: number | null;
  keys: number;
  bytes: number;
}

export interface TypeReport {
  keys: number;
  bytes: number;
  /** Of the keys inspected, 0–1. */
  share: number;
  averageBytes: number;
  /** The biggest key of the type, whatever its size. */
  biggest: BigKey;
}

export interface PrefixNode {
  /** `cache:user` for keys `cache:user:…`; `*` folds segments beyond maxPrefixChildren; '' is the root. */
  prefix: string;
  /** The separator that follows the prefix in the names of its keys, when they all use the same. */
  separator?: string;
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
  /** null when the user may run neither DBSIZE nor INFO. */
  dbsize: number | null;
  /** From INFO keyspace: keys with a TTL, hashes with field TTLs (`subexpiry`); null when not said. */
  keysWithTtl: number | null;
  hashesWithFieldTtl: number | null;
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
    /** The separators the caller gave, or null when they were detected. */
    separators: string | null;
    commandTimeoutMs: number;
    commandTargetMs: number;
  };
  /** How sizes were measured: MEMORY USAGE, or estimates when the user may not run it. */
  bytesSource: 'memory-usage' | 'estimate';
  /** How keys were inspected: a read-only script per slice of keys, or pipelined commands. */
  inspection: 'script' | 'pipeline';
  totals: {
    /**
     * DBSIZE summed over the masters (every key, not only those matching `match`); from INFO keyspace when DBSIZE is
     * denied, null when both are.
     */
    dbsize: number | null;
    /** Keys inspected. */
    scanned: number;
    bytes: number;
    keysWithoutTtl: number;
    /** Keys SCAN returned that were gone before they were inspected. */
    vanished: number;
    sampled: boolean;
    estimatedKeys?: Estimate;
    estimatedBytes?: Estimate;
    /** Commands sent to the servers (an inspection script call counts once). */
    commands: number;
    /** Commands the inspection scripts ran on the servers, as they counted them. */
    commandsInScripts: number;
  };
  nodes: NodeReport[];
  /**
   * What INFO keyspace says about the whole database (every key, not only those matching `match`), summed over the
   * masters; null where a master does not say (INFO denied, or a server without the field).
   */
  keyspace: {
    keysWithTtl: number | null;
    /** Hashes with at least one field TTL (HEXPIRE), INFO keyspace `subexpiry`. */
    hashesWithFieldTtl: number | null;
  };
  /** How names were split: the separators used, each with the keys split by it, and the keys without any. */
  separators: { source: 'detected' | 'given'; used: { separator: string; keys: number }[]; keysWithout: number };
  prefixes: PrefixNode;
  types: Record<string, TypeReport>;
  /** Sizes of the keys inspected (MEMORY USAGE, or the estimates). */
  keySizes: Distribution;
  /** Lengths of the key names, in bytes. */
  nameLengths: Distribution;
  /** Keys with a TTL by time left (keys without one: `withoutTtl`). */
  ttlBuckets: TtlBucket[];
  withoutTtl: {
    keys: number;
    bytes: number;
    topPrefixes: { prefix: string; separator?: string; keys: number; bytes: number }[];
    samples: string[];
  };
  bigKeys: { thresholdBytes: number; keys: number; bytes: number; top: BigKey[] };
  findings: Finding[];
  rules: RuleStatus[];
  /**
   * Key names and prefixes are shown as they are when they are printable UTF-8, else quoted and escaped like
   * redis-cli (`"bin:\xff\xfe"`). Every escaped name in this report → its raw bytes in base64.
   */
  rawNames: Record<string, string>;
  notes: string[];
}
