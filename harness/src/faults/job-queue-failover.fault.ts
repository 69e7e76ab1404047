/**
 * The job queue on a cluster (6 partitions over the 3 masters) while a master is killed and its replica promoted,
 * adds going on throughout with `replicas: 1` (an add resolves only once a replica has it). Every acknowledged add
 * runs: replication is asynchronous, so without `replicas` a job the killed master took but had not yet sent to its
 * replica would be lost (the cluster-failover scenario counts such plain writes). Adds during the failover fail or
 * time out: not acknowledged, not counted.
 */
import assert from 'node:assert/strict';
import { createQueue } from '@redis-agent-kit/patterns/queue';
import { defineFaultScenario } from './scenario.ts';

const PACE_MS = 2;
const AFTER_PROMOTION_MS = 1500;
const DRAIN_BOUND_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default defineFaultScenario({
  id: 'job-queue-failover',
  workflow: 'job-queue',
  fault: 'failover',
  title: 'Cluster master killed while jobs are added and run (replicas: 1): every acknowledged add runs',
  async run({ startCluster, connect, prefix, note }) {
    const cluster = await startCluster();
    const client = await connect(cluster);
    const queue = createQueue<{ n: number }>(client, {
      name: 'failover',
      prefix,
      partitions: 6,
      replicas: 1,
      commandTimeoutMs: 2000,
    });
    const runs = new Map<number, number>();
    let workerErrors = 0;
    const worker = await queue.process((job) => void runs.set(job.payload.n, (runs.get(job.payload.n) ?? 0) + 1), {
      concurrency: 20,
      visibilityMs: 2000,
      maintenanceMs: 200,
      blockMs: 200,
      onError: () => workerErrors++,
    });
    const acknowledged: number[] = [];
    const addErrors = new Map<string, number>();
    let stopping = false;
    const producer = (async () => {
      for (let n = 0; !stopping; n++) {
        try {
          await queue.add({ n });
          acknowledged.push(n);
        } catch (error) {
          const kind = (error as Error).message.replace(/\d+/g, 'N').slice(0, 120);
          addErrors.set(kind, (addErrors.get(kind) ?? 0) + 1);
        }
        await sleep(PACE_MS);
      }
    })();
    let failoverMs: number;
    try {
      await sleep(700);
      failoverMs = (await cluster.killMasterAndAwaitFailover()).ms;
      await sleep(AFTER_PROMOTION_MS);
    } finally {
      stopping = true;
      await producer;
    }
    try {
      const started = performance.now();
      while (acknowledged.some((n) => !runs.has(n)) && performance.now() - started < DRAIN_BOUND_MS) await sleep(50);
      const lost = acknowledged.filter((n) => !runs.has(n)).length;
      assert.equal(lost, 0, `${lost} of ${acknowledged.length} acknowledged adds never ran`);
      for (const [kind, count] of [...addErrors].slice(0, 3)) note(`add error ×${count}: ${kind}`);
      const errors = [...addErrors.values()].reduce((a, b) => a + b, 0);
      return {
        numbers: {
          acknowledged: acknowledged.length,
          lostAcknowledged: lost,
          addErrors: errors,
          failoverMs,
          jobsRunTwice: [...runs.values()].filter((times) => times > 1).length,
          workerErrors,
        },
      };
    } finally {
      await worker.close({ timeoutMs: 1000 });
    }
  },
});
