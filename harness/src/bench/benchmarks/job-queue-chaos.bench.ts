/**
 * The reliability goal as a measurement: 100,000 jobs (BENCH_SCALE scales them) through three worker
 * processes of examples/job-queue (concurrency 50 each); 2 s after each replacement is ready, the one holding the most
 * running jobs is SIGKILLed and replaced. Counted: jobs
 * lost (neither completed nor dead-lettered; goal 0), handler runs of a job already completed (absorbed by the
 * example's idempotent handler, which records a result once with SET NX), and the throughput under that churn.
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { createJobsQueue, type JobsConfig, resultKey } from '../../../../examples/job-queue/src/jobs.ts';
import { workerFleet } from '../../job-queue-workers.ts';
import { targetConnection } from '../../targets/describe.ts';
import { type BenchRow, defineBenchmark } from '../benchmark.ts';

const WORKERS = 3;
const KILL_EVERY_MS = 2000;
const ADDS_IN_FLIGHT = 200;
const DRAIN_BOUND_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default defineBenchmark({
  id: 'job-queue-chaos',
  title:
    'Job queue under churn: 100,000 jobs, a worker process SIGKILLed 2 s after each replacement: lost jobs and duplicate runs',
  async run({ target, scale, log }) {
    const jobs = Math.max(1000, Math.round(100_000 * scale));
    const client = await connect(targetConnection(target));
    const config: JobsConfig = { prefix: `rak:bench:job-queue-chaos:${randomBytes(3).toString('hex')}`, partitions: 2 };
    const queue = createJobsQueue(client, config);
    const fleet = workerFleet({
      REDIS_URL: target.url,
      JOBS_PREFIX: config.prefix,
      PARTITIONS: String(config.partitions),
      CONCURRENCY: '50',
      VISIBILITY_MS: '2000',
      MAX_DELIVERIES: '10',
    });
    const ids: string[] = [];
    try {
      await Promise.all(Array.from({ length: WORKERS }, () => fleet.start().ready));
      const started = performance.now();
      let kills = 0;
      let heldAtKill = 0;
      let draining = true;
      const killer = (async () => {
        while (draining) {
          await sleep(KILL_EVERY_MS);
          if (!draining) break;
          heldAtKill += fleet.killBusiest();
          kills++;
          await fleet.start().ready;
        }
      })();
      let next = 0;
      await Promise.all(
        Array.from({ length: ADDS_IN_FLIGHT }, async () => {
          while (next < jobs) {
            const i = next++;
            ids[i] = (await queue.add({ kind: 'email', target: `user${i}@example.com`, durationMs: 0 })).id;
          }
        }),
      );
      log(`${jobs.toLocaleString('en')} jobs added in ${Math.round(performance.now() - started)} ms`);
      for (;;) {
        const { totals } = await queue.stats();
        if (totals.waiting === 0 && totals.pending === 0 && totals.delayed === 0) break;
        if (performance.now() - started > DRAIN_BOUND_MS)
          throw new Error(`not drained within ${DRAIN_BOUND_MS} ms: ${JSON.stringify(totals)}`);
        await sleep(250);
      }
      const ms = performance.now() - started;
      draining = false;
      await killer;
      let done = 0;
      for (let i = 0; i < ids.length; i += 10_000) {
        const batch = client.pipeline();
        for (const id of ids.slice(i, i + 10_000)) batch.exists(resultKey(config, id));
        done += ((await batch.exec()) ?? []).filter(([, n]) => n === 1).length;
      }
      const dead = (await queue.stats()).totals.deadLetters;
      const lost = jobs - done - dead;
      log(
        `${kills} workers killed holding ${heldAtKill} running jobs; ${done} completed, ${dead} dead-lettered, ${lost} lost`,
      );
      const metric = `${jobs.toLocaleString('en')} jobs, a worker killed ${KILL_EVERY_MS / 1000} s after each replacement`;
      const rows: BenchRow[] = [
        {
          subject: 'jobs lost (neither completed nor dead-lettered)',
          metric,
          value: lost,
          unit: 'jobs',
          goal: '= 0',
          met: lost === 0,
        },
        {
          subject: 'runs of an already completed job (absorbed: SET NX kept one result)',
          metric,
          value: fleet.reruns,
          unit: 'runs',
        },
        { subject: 'workers killed', metric, value: kills, unit: 'kills' },
        { subject: 'jobs running in the killed workers', metric, value: heldAtKill, unit: 'jobs' },
        {
          subject: 'throughput under churn (add to last completion)',
          metric,
          value: jobs / (ms / 1000),
          unit: 'jobs/s',
        },
      ];
      return {
        rows,
        notes: [`${done} completed, ${dead} dead-lettered; 3 worker processes at concurrency 50, visibilityMs 2000`],
      };
    } finally {
      await fleet.stopAll();
      for (let i = 0; i < ids.length; i += 1000)
        await client.unlink(...ids.slice(i, i + 1000).map((id) => resultKey(config, id)));
      for (const keys of queue.partitions)
        await client.unlink(keys.stream, keys.high, keys.delayed, keys.delayedJobs, keys.dead);
      await closeClient(client);
    }
  },
});
