/** A durable job queue on Redis Streams: consumer groups, retries with backoff, reclaim, dead letters, partitions. */
export { MAX_BACKOFF_MS } from './backoff.ts';
export { QueueTimeoutError } from './deadline.ts';
export {
  type Backoff,
  MAX_ERROR_CHARS,
  MAX_JOB_ID_BYTES,
  QUEUE_DEFAULTS,
  type QueueOptions,
  WORKER_DEFAULTS,
  type WorkerOptions,
} from './options.ts';
export { type PartitionKeys } from './keys.ts';
export {
  type AddOptions,
  type AddResult,
  createQueue,
  type DeadLetter,
  type PartitionStats,
  type Queue,
  QueueReplicationError,
  type QueueStats,
} from './queue.ts';
export { type CloseResult, type Job, type JobHandler, type Worker, type WorkerStats } from './worker.ts';
