/**
 * The jobs this service runs: thumbnails and emails, each a fake slow task (it sleeps `durationMs`). The handler is
 * idempotent, as every handler of an at-least-once queue must be: its result is recorded with SET NX, so a job run
 * again after its worker died finds the result and records nothing twice.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { createQueue, type Job, type JobHandler, type Queue } from '@redis-agent-kit/patterns/queue';

export const JOB_KINDS = ['thumbnail', 'email'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobRequest {
  kind: JobKind;
  /** The image URL to thumbnail or the address to email: 1 to 200 characters. */
  target: string;
  /** How long the fake work takes: 0 to 60,000 ms, default 2,000. */
  durationMs: number;
}

export interface JobResult {
  id: string;
  kind: JobKind;
  target: string;
  output: string;
  /** Which start of the job produced this result (more than 1 after a retry or a reclaim). */
  delivery: number;
  worker: number;
  finishedAt: string;
}

export interface JobsConfig {
  /** First part of every key: the queue's and the results'. */
  prefix: string;
  partitions: number;
}

export function jobsConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  return { prefix: env.JOBS_PREFIX ?? 'jobs', partitions: Number(env.PARTITIONS ?? 1) };
}

/** Results are kept a day: long enough to fetch, and the key that makes a rerun a no-op. */
export const RESULT_TTL_SECONDS = 24 * 3600;

export function createJobsQueue(client: RedisClient, config: JobsConfig): Queue<JobRequest> {
  return createQueue<JobRequest>(client, { name: 'media', prefix: config.prefix, partitions: config.partitions });
}

export function resultKey(config: JobsConfig, id: string): string {
  return `${config.prefix}:result:${id}`;
}

/** A request body as a job, or the message saying what is wrong with it. */
export function parseJobRequest(body: unknown): JobRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'send a JSON object: {"kind", "target", "durationMs"?}';
  const { kind, target, durationMs = 2000 } = body as Record<string, unknown>;
  if (!JOB_KINDS.includes(kind as JobKind)) return `kind must be one of ${JOB_KINDS.join(', ')}`;
  if (typeof target !== 'string' || target.length < 1 || target.length > 200)
    return 'target must be a string of 1 to 200 characters';
  if (!Number.isInteger(durationMs) || (durationMs as number) < 0 || (durationMs as number) > 60_000) {
    return 'durationMs must be an integer from 0 to 60000';
  }
  return { kind: kind as JobKind, target, durationMs: durationMs as number };
}

/** The fake work: resolves after `ms`, or rejects as soon as the worker gives the job back at shutdown. */
function work(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('stopped: the worker is shutting down'));
    });
  });
}

export function createHandler(
  client: RedisClient,
  config: JobsConfig,
  log: (line: string) => void,
): JobHandler<JobRequest> {
  return async (job: Job<JobRequest>) => {
    const { kind, target, durationMs } = job.payload;
    log(`started ${job.id} (${kind} ${target}, delivery ${job.deliveries})`);
    await work(durationMs, job.signal);
    // A mailbox that bounces: the job fails, is retried with backoff and ends in the dead letters.
    if (kind === 'email' && target.startsWith('bounce@')) throw new Error(`mailbox ${target} is unavailable`);
    const result: JobResult = {
      id: job.id,
      kind,
      target,
      output: kind === 'thumbnail' ? `${target}#thumbnail-128x128` : `sent to ${target}`,
      delivery: job.deliveries,
      worker: process.pid,
      finishedAt: new Date().toISOString(),
    };
    const first = await client.set(resultKey(config, job.id), JSON.stringify(result), 'EX', RESULT_TTL_SECONDS, 'NX');
    log(first === 'OK' ? `finished ${job.id}` : `finished ${job.id} again: already done, result kept`);
  };
}
