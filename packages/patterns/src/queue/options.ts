/** What a queue and its workers are configured with, and the defaults, in one place (as ioredis keeps its own). */

export interface QueueOptions {
  /** The queue's name: 1 to 100 letters, digits, `_`, `.` or `-`. It is part of every key and of the hash tag. */
  name: string;
  /** First part of every key: `<prefix>:{<name>:<partition>}:<role>`. Default `queue`. */
  prefix?: string;
  /**
   * Streams the queue is split into (1 to 1024). One stream lives in one cluster slot, so on a cluster N partitions
   * spread the queue over up to N slots (and so masters). Order holds within a partition only. Default 1.
   */
  partitions?: number;
  /** The consumer group every worker reads in. Default `workers`. */
  group?: string;
  /** Largest payload `add()` accepts, in encoded bytes (JSON text, or the bytes given). Default 100 KiB. */
  maxPayloadBytes?: number;
  /**
   * How long an `add()` with an `id` makes later adds of that id no-ops, counted from the first add. After the window
   * the same id is a new job. Default 24 h.
   */
  idempotencyWindowMs?: number;
  /** Dead letters kept per partition, newest first (trimmed approximately: `XADD … MAXLEN ~`). Default 10,000. */
  deadLetterMaxLen?: number;
  /** Deadline of every command the queue and its workers send (a blocking read gets `blockMs` more). Default 5 s. */
  commandTimeoutMs?: number;
  /**
   * Replicas an `add()` must reach before it resolves: WAIT on the node that took the write, for up to
   * `commandTimeoutMs`; fewer is an error (the job is added, but a failover now could lose it: retry with the same
   * `id`). 0 resolves on the master's answer, which a failover right after can lose, as replication is asynchronous.
   * Default 0.
   */
  replicas?: number;
}

export const QUEUE_DEFAULTS = {
  prefix: 'queue',
  partitions: 1,
  group: 'workers',
  maxPayloadBytes: 100 * 1024,
  idempotencyWindowMs: 24 * 60 * 60 * 1000,
  deadLetterMaxLen: 10_000,
  commandTimeoutMs: 5000,
  replicas: 0,
} as const;

/** The delay before a failed job runs again, from the deliveries it has had (1 after the first failure). */
export type Backoff =
  { type: 'fixed' | 'exponential'; delayMs: number; maxDelayMs?: number } | ((deliveries: number) => number);

export interface WorkerOptions {
  /** Jobs this worker runs at once. Default 1. */
  concurrency?: number;
  /**
   * A job whose worker has not been heard from for this long is given to another worker (XAUTOCLAIM). A running job
   * is kept fresh by its worker every third of this, so it bounds how long a dead worker's jobs wait, not how long
   * a job may run. At least 4 × `maintenanceMs`. Default 30 s.
   */
  visibilityMs?: number;
  /** Handler starts a job gets before it goes to the dead letters with its last error. Default 5. */
  maxDeliveries?: number;
  /** Delay before a failed job runs again. Default exponential from 1 s, at most 60 s. */
  backoff?: Backoff;
  /** Longest a read waits on the server for new jobs (XREADGROUP BLOCK), 1 ms to 10 s. Default 1 s. */
  blockMs?: number;
  /** Period of the upkeep: due delayed jobs moved in, idle jobs reclaimed, acknowledged entries trimmed. Default 1 s. */
  maintenanceMs?: number;
  /** Most entries one read, reclaim or move of delayed jobs handles (their COUNT/LIMIT). Default 100. */
  batchSize?: number;
  /** The partitions this worker serves. Default all. */
  partitions?: readonly number[];
  /** This worker's consumer name in the group. Default `<hostname>-<pid>-<random>`; unique per worker. */
  consumer?: string;
  /** Told about every Redis error the worker absorbed (it keeps running and retries). */
  onError?: (error: Error) => void;
}

export const WORKER_DEFAULTS = {
  concurrency: 1,
  visibilityMs: 30_000,
  maxDeliveries: 5,
  backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000 },
  blockMs: 1000,
  maintenanceMs: 1000,
  batchSize: 100,
  /** `close()` waits this long for running jobs before it releases them to other workers. */
  shutdownTimeoutMs: 10_000,
} as const;

/** Characters a handler's error keeps in the dead letters (and in the retried job). */
export const MAX_ERROR_CHARS = 1000;
/** Bytes of a job id given to `add()`. */
export const MAX_JOB_ID_BYTES = 256;
