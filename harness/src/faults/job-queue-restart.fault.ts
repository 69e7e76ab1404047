/**
 * The job queue while Redis crashes (SIGKILL) and comes back with its append-only file (fsync always): every add
 * that was acknowledged before or after the crash is run to completion by the same worker, which keeps going
 * through the outage (its reads and acknowledgements fail, then succeed again) without a restart of its own. Adds
 * while Redis is down fail; they are not acknowledged, so they may or may not have happened, and are not counted.
 */
import assert from 'node:assert/strict';
import { createQueue } from '@redis-agent-kit/patterns/queue';
import { msUntilSucceeds } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const BEFORE = 300;
const AFTER = 100;
const DRAIN_BOUND_MS = 60_000;

export default defineFaultScenario({
  id: 'job-queue-restart',
  workflow: 'job-queue',
  fault: 'kill',
  title: 'Acknowledged job adds survive a Redis crash and restart (AOF, fsync always); the worker rides it out',
  async run({ startServer, connect, prefix, note }) {
    const server = await startServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const client = await connect(server, { commandTimeoutMs: 1000 });
    const queue = createQueue<{ n: number }>(client, {
      name: 'restart',
      prefix,
      partitions: 2,
      commandTimeoutMs: 1000,
    });
    const runs = new Map<number, number>();
    let workerErrors = 0;
    const worker = await queue.process(
      async (job) => {
        await new Promise((r) => setTimeout(r, 5));
        runs.set(job.payload.n, (runs.get(job.payload.n) ?? 0) + 1);
      },
      { concurrency: 10, visibilityMs: 2000, maintenanceMs: 200, blockMs: 200, onError: () => workerErrors++ },
    );
    try {
      const acknowledged: number[] = [];
      for (let n = 0; n < BEFORE; n++) {
        await queue.add({ n });
        acknowledged.push(n);
      }
      // Crash mid-processing: some jobs done, some running, some waiting.
      while (runs.size < BEFORE / 3) await new Promise((r) => setTimeout(r, 2));
      await server.kill();
      let addsFailedWhileDown = 0;
      for (let n = BEFORE; n < BEFORE + 5; n++) await queue.add({ n }).catch(() => addsFailedWhileDown++);
      assert.equal(addsFailedWhileDown, 5, 'adds while Redis is down fail');
      await server.restart();
      const recoverMs = await msUntilSucceeds(() => queue.add({ n: BEFORE + 5 }), 15_000);
      acknowledged.push(BEFORE + 5);
      for (let n = BEFORE + 6; n < BEFORE + 6 + AFTER; n++) {
        await queue.add({ n });
        acknowledged.push(n);
      }
      const started = performance.now();
      while (acknowledged.some((n) => !runs.has(n)) && performance.now() - started < DRAIN_BOUND_MS) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const lost = acknowledged.filter((n) => !runs.has(n)).length;
      assert.equal(lost, 0, `${lost} acknowledged adds never ran`);
      const reruns = [...runs.values()].filter((times) => times > 1).length;
      note(
        `the worker absorbed ${workerErrors} Redis errors and went on; ${reruns} jobs ran twice (they finished while Redis was down, so their acknowledgement failed and they were reclaimed)`,
      );
      return {
        numbers: {
          acknowledged: acknowledged.length,
          lostAcknowledged: lost,
          addsFailedWhileDown,
          recoverMs: Math.round(recoverMs),
          jobsRunTwice: reruns,
          workerErrors,
        },
      };
    } finally {
      await worker.close({ timeoutMs: 1000 });
    }
  },
});
