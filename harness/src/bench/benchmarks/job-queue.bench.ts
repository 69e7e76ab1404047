/**
 * The job queue (Redis Streams, this kit) against BullMQ 6.7 (lists, sorted sets and Lua) on the same server in the
 * same run, with the same handler (an async no-op, so the queues' own cost is what is measured):
 * - end-to-end throughput: jobs/s from the first add to the last acknowledged completion, a producer keeping 50 adds
 *   in flight while one worker runs them at concurrency 1 and 50;
 * - latency from add (before the call) to the handler's start, p50 and p99: under that load (it then includes the
 *   wait behind earlier jobs), and paced at one add every PACE_MS, well below either queue's capacity (the pickup
 *   latency itself);
 * - server CPU per job (INFO cpu, user + system, over the round's jobs).
 * Rounds alternate subject and anchor after one warm-up round each (BullMQ first in even pairs, ours first in odd
 * ones); a ratio is taken per pair and the median over the pairs is reported with its spread (min–max). BullMQ runs
 * with removeOnComplete (its production advice; our trim removes acknowledged entries the same way).
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect, parseInfo, type RedisClient } from '@redis-agent-kit/patterns';
import { createQueue } from '@redis-agent-kit/patterns/queue';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { targetConnection } from '../../targets/describe.ts';
import { type BenchRow, compare, defineBenchmark, percentile } from '../benchmark.ts';

const CONCURRENCIES = [1, 50];
const PAIRS = 5;
const ADDS_IN_FLIGHT = 50;
const PACE_MS = 2;
const PACED_JOBS = 200;
const PREFIX = 'rak:bench:job-queue';
const OURS = 'Redis Streams queue (this kit)';
const BULL = 'BullMQ 6.7 (anchor)';

interface Round {
  jobsPerSecond: number;
  /** add → handler start, ms, one per job. */
  startLatencies: number[];
  serverMicrosPerJob: number;
}

/** One round: `jobs` jobs at `concurrency`, added 50 in flight, or one at a time every `paceMs` when it is given. */
type Subject = (jobs: number, concurrency: number, paceMs?: number) => Promise<Round>;

/** Runs `jobs` adds (ADDS_IN_FLIGHT at once, or paced) until `completed()` reaches jobs: the ms and server CPU µs. */
async function drive(
  client: RedisClient,
  jobs: number,
  add: (i: number) => Promise<unknown>,
  completed: () => number,
  addedAt: Float64Array,
  paceMs: number | undefined,
): Promise<{ ms: number; cpuMicros: number }> {
  const cpuBefore = await serverCpuMicros(client);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: paceMs ? 1 : ADDS_IN_FLIGHT }, async () => {
      while (next < jobs) {
        const i = next++;
        addedAt[i] = performance.now();
        await add(i);
        if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
      }
    }),
  );
  while (completed() < jobs) await new Promise((r) => setTimeout(r, 1));
  const ms = performance.now() - started;
  return { ms, cpuMicros: (await serverCpuMicros(client)) - cpuBefore };
}

/**
 * The server process's CPU time (INFO cpu: user + system) in µs. Not INFO commandstats: it also counts every command
 * a script calls inside its EVALSHA (checked on Redis 8.0), so summing it double-counts a Lua-based queue; CPU time
 * counts each microsecond once, protocol parsing and replies included.
 */
async function serverCpuMicros(client: RedisClient): Promise<number> {
  const cpu = parseInfo(String(await client.info('cpu')));
  return (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1e6;
}

function ours(client: RedisClient): Subject {
  return async (jobs, concurrency, paceMs) => {
    const queue = createQueue<{ i: number }>(client, {
      name: `ours-${randomBytes(3).toString('hex')}`,
      prefix: PREFIX,
    });
    const addedAt = new Float64Array(jobs);
    const startLatencies: number[] = [];
    const worker = await queue.process(
      async (job) => {
        startLatencies.push(performance.now() - (addedAt[job.payload.i] as number));
      },
      { concurrency, blockMs: 200 },
    );
    try {
      const { ms, cpuMicros } = await drive(
        client,
        jobs,
        (i) => queue.add({ i }),
        () => worker.stats().completed,
        addedAt,
        paceMs,
      );
      return { jobsPerSecond: jobs / (ms / 1000), startLatencies, serverMicrosPerJob: cpuMicros / jobs };
    } finally {
      await worker.close();
      for (const keys of queue.partitions)
        await client.unlink(keys.stream, keys.high, keys.delayed, keys.delayedJobs, keys.dead);
    }
  };
}

function bull(client: RedisClient, connection: { host: string; port: number }): Subject {
  return async (jobs, concurrency, paceMs) => {
    const name = `bull-${randomBytes(3).toString('hex')}`;
    const queue = new BullQueue(name, {
      connection,
      prefix: PREFIX,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    const addedAt = new Float64Array(jobs);
    const startLatencies: number[] = [];
    let completed = 0;
    const worker = new BullWorker(
      name,
      async (job) => {
        startLatencies.push(performance.now() - (addedAt[(job.data as { i: number }).i] as number));
      },
      { connection, prefix: PREFIX, concurrency },
    );
    worker.on('completed', () => completed++);
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    try {
      const { ms, cpuMicros } = await drive(
        client,
        jobs,
        (i) => queue.add('job', { i }),
        () => completed,
        addedAt,
        paceMs,
      );
      return { jobsPerSecond: jobs / (ms / 1000), startLatencies, serverMicrosPerJob: cpuMicros / jobs };
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(2));

export default defineBenchmark({
  id: 'job-queue',
  title: `Job queue: end-to-end jobs/s at concurrency ${CONCURRENCIES.join(' and ')}, add→start latency, server µs per job, vs BullMQ`,
  async run({ target, scale, log }) {
    const client = await connect(targetConnection(target));
    const url = new URL(target.url);
    const subjects: Record<string, Subject> = {
      [OURS]: ours(client),
      [BULL]: bull(client, { host: url.hostname, port: Number(url.port) }),
    };
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    try {
      for (const concurrency of CONCURRENCIES) {
        const jobs = Math.max(100, Math.round((concurrency === 1 ? 1500 : 4000) * scale));
        for (const name of [BULL, OURS]) await subjects[name]?.(Math.min(jobs, 500), concurrency); // warm-up
        const results: Record<string, Round[]> = { [OURS]: [], [BULL]: [] };
        const paced: Record<string, Round[]> = { [OURS]: [], [BULL]: [] };
        for (let pair = 0; pair < PAIRS; pair++) {
          for (const name of pair % 2 === 0 ? [BULL, OURS] : [OURS, BULL]) {
            const round = await (subjects[name] as Subject)(jobs, concurrency);
            results[name]?.push(round);
            paced[name]?.push(await (subjects[name] as Subject)(PACED_JOBS, concurrency, PACE_MS));
            log(`concurrency ${concurrency}, pair ${pair + 1}: ${name} ${fmt(round.jobsPerSecond)} jobs/s`);
          }
        }
        const oursRounds = results[OURS] as Round[];
        const bullRounds = results[BULL] as Round[];
        const ratios = oursRounds.map((r, i) => r.jobsPerSecond / (bullRounds[i] as Round).jobsPerSecond);
        const metric = `jobs/s end to end, concurrency ${concurrency}`;
        const anchor: BenchRow = {
          subject: BULL,
          metric,
          value: median(bullRounds.map((r) => r.jobsPerSecond)),
          unit: 'jobs/s',
        };
        const subject: BenchRow = {
          subject: OURS,
          metric,
          value: median(oursRounds.map((r) => r.jobsPerSecond)),
          unit: 'jobs/s',
        };
        // The ratio is the median of the per-pair ratios, not the ratio of the medians.
        const compared = compare(subject, anchor, { min: 1.0 });
        compared.ratio = median(ratios);
        compared.met = compared.ratio >= 1.0;
        rows.push(anchor, compared);
        notes.push(
          `concurrency ${concurrency}: ${PAIRS} pairs of ${jobs} jobs; ratio per pair ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)}, spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
        );
        const latency = (rounds: Round[] | undefined, p: number) =>
          percentile(
            (rounds ?? []).flatMap((r) => r.startLatencies).sort((a, b) => a - b),
            p,
          );
        for (const [load, rounds] of [
          ['under load', results],
          [`paced, 1 add per ${PACE_MS} ms`, paced],
        ] as const) {
          for (const p of [50, 99]) {
            const m = `add→start p${p}, ${load}, concurrency ${concurrency}`;
            const a: BenchRow = { subject: BULL, metric: m, value: latency(rounds[BULL], p), unit: 'ms' };
            rows.push(a, compare({ subject: OURS, metric: m, value: latency(rounds[OURS], p), unit: 'ms' }, a));
          }
        }
        const micros = (rounds: Round[]) => median(rounds.map((r) => r.serverMicrosPerJob));
        const mm = `server CPU per job, concurrency ${concurrency}`;
        const a: BenchRow = { subject: BULL, metric: mm, value: micros(bullRounds), unit: 'µs' };
        rows.push(a, compare({ subject: OURS, metric: mm, value: micros(oursRounds), unit: 'µs' }, a));
      }
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
