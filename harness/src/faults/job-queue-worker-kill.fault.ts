/**
 * The job queue example's worker processes, killed with SIGKILL while they hold jobs: every job still completes
 * (its pending entry is reclaimed by another worker once idle for VISIBILITY_MS) or lands in the dead letters; none
 * is lost, and the example's idempotent handler records each completion once although a reclaimed job runs again.
 */
import assert from 'node:assert/strict';
import { createJobsQueue, type JobResult, type JobsConfig, resultKey } from '../../../examples/job-queue/src/jobs.ts';
import { workerFleet } from '../job-queue-workers.ts';
import { defineFaultScenario } from './scenario.ts';

const JOBS = 300;
const WORKERS = 3;
const KILLS = 3;
const VISIBILITY_MS = 2000;
/** Generous: 300 jobs of at most 600 ms on 24 slots take about 5 s, each kill adds VISIBILITY_MS. */
const DRAIN_BOUND_MS = 90_000;

export default defineFaultScenario({
  id: 'job-queue-worker-kill',
  workflow: 'job-queue',
  fault: 'kill',
  title: `${KILLS} job-queue workers killed (SIGKILL) while holding jobs: every job completes or is dead-lettered, none lost`,
  async run({ startServer, connect, prefix, note }) {
    const server = await startServer();
    const client = await connect(server);
    const config: JobsConfig = { prefix, partitions: 2 };
    const queue = createJobsQueue(client, config);
    const fleet = workerFleet({
      REDIS_URL: server.url,
      JOBS_PREFIX: prefix,
      PARTITIONS: String(config.partitions),
      CONCURRENCY: '8',
      VISIBILITY_MS: String(VISIBILITY_MS),
      MAX_DELIVERIES: '10',
    });
    try {
      await Promise.all(Array.from({ length: WORKERS }, () => fleet.start().ready));
      const ids: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        const durationMs = 100 + ((i * 37) % 500);
        ids.push((await queue.add({ kind: 'thumbnail', target: `https://img.example/${i}.png`, durationMs })).id);
      }
      let heldAtKill = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((r) => setTimeout(r, 700));
        heldAtKill += fleet.killBusiest();
        await fleet.start().ready;
      }
      note(
        `${KILLS} workers killed holding ${heldAtKill} running jobs (from their logs); one replacement started after each`,
      );
      const killedAt = performance.now();

      const settle = async (): Promise<{ done: number; dead: number; redelivered: number }> => {
        const results = client.pipeline();
        for (const id of ids) results.get(resultKey(config, id));
        const found = ((await results.exec()) ?? []).flatMap(([, json]) =>
          json ? [JSON.parse(json as string) as JobResult] : [],
        );
        const stats = await queue.stats();
        return {
          done: found.length,
          dead: stats.totals.deadLetters,
          redelivered: found.filter((r) => r.delivery > 1).length,
        };
      };
      let outcome = await settle();
      while (outcome.done + outcome.dead < JOBS) {
        if (performance.now() - killedAt > DRAIN_BOUND_MS) break;
        await new Promise((r) => setTimeout(r, 200));
        outcome = await settle();
      }
      const drainMs = performance.now() - killedAt;
      const lost = JOBS - outcome.done - outcome.dead;
      assert.equal(lost, 0, `${lost} of ${JOBS} jobs neither completed nor dead-lettered within ${DRAIN_BOUND_MS} ms`);
      assert.ok(heldAtKill > 0, 'the killed workers held jobs');
      assert.ok(outcome.redelivered > 0, 'jobs of killed workers finished on another worker');
      const stats = await queue.stats();
      assert.equal(stats.totals.pending, 0, 'nothing left pending');
      return {
        numbers: {
          jobs: JOBS,
          completed: outcome.done,
          deadLettered: outcome.dead,
          lost,
          workersKilled: KILLS,
          jobsHeldAtKill: heldAtKill,
          completedOnRedelivery: outcome.redelivered,
          rerunsAbsorbed: fleet.reruns,
          drainAfterLastKillMs: Math.round(drainMs),
        },
      };
    } finally {
      await fleet.stopAll();
    }
  },
});
