/**
 * `npm run worker`: one worker process. It reads jobs in the queue's consumer group, runs up to CONCURRENCY at once,
 * and on SIGTERM or Ctrl-C stops reading, lets running jobs finish (up to SHUTDOWN_TIMEOUT_MS), gives the rest back
 * and exits. Killed outright (`kill -9`), its jobs stay pending and another worker takes them over once they have
 * been idle VISIBILITY_MS.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { createHandler, createJobsQueue, jobsConfig } from './jobs.ts';

const env = process.env;
const visibilityMs = Number(env.VISIBILITY_MS ?? 10_000);
const log = (line: string) => console.log(`[worker ${process.pid}] ${line}`);

const config = jobsConfig();
const client = await connect({ name: `jobs-worker-${process.pid}` });
const queue = createJobsQueue(client, config);
const worker = await queue.process(createHandler(client, config, log), {
  concurrency: Number(env.CONCURRENCY ?? 4),
  visibilityMs,
  maintenanceMs: Math.min(1000, Math.floor(visibilityMs / 4)),
  maxDeliveries: Number(env.MAX_DELIVERIES ?? 5),
  backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 30_000 },
  onError: (error) => log(`redis: ${error.message}`),
});
log(`ready: consumer ${worker.consumer}, queue ${queue.name} (${queue.partitions.length} partition(s))`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log('stopping: no new jobs; waiting for running ones');
    void worker
      .close({ timeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000) })
      .then(({ finished, released }) => log(`stopped: ${finished} finished, ${released} given back to the queue`))
      .finally(() => closeClient(client))
      .finally(() => process.exit(0));
  });
}
