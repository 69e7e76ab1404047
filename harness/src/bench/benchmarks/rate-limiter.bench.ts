/**
 * Rate-limit decisions per second on one server, every subject at the same concurrency in one run, for each
 * algorithm against
 * - a trivial `EVALSHA` returning 1 on the same keys: the ceiling of any one-script limiter (one round trip,
 *   no work), so `value / ceiling` is the share of the round trip the algorithm's own work leaves;
 * - rate-limiter-flexible's `RateLimiterRedis` (a fixed window: INCR and EXPIRE in one script);
 * - seed 001's naive pipeline (four commands, not atomic, over-admits: see the conformance suite).
 * Ids cycle through 10,000 keys at a 100 requests/minute policy, so decisions are admissions, the common and
 * costlier path. Measured at 50 decisions in flight (on a small machine the server's CPU is then the limit, so
 * the script's own cost decides) and at 1 in flight (the round trip decides). The server's own time per
 * decision comes from INFO commandstats, which other load on the machine disturbs much less than throughput, and
 * so does the CPU time per decision of this process (process.cpuUsage) and of the server (INFO cpu, which unlike
 * commandstats includes reading requests and writing replies): on a shared machine the subjects compete for CPU,
 * and these say where each one's time goes. The limiters write the commands of one event-loop turn together
 * (one system call, like ioredis' autopipelining); the trivial EVALSHA and rate-limiter-flexible write each
 * command alone, as ioredis does by default.
 * Every subject runs once per round, rounds alternate the order, the first is discarded: each ratio is the median
 * of the per-round ratios, with their spread. Then memory per key (`MEMORY USAGE`) after 100 requests in one minute,
 * for each (exact figures: one ratio).
 */
import { closeClient, connect, LuaScript, parseInfo, type RedisClient } from '@redis-agent-kit/patterns';
import { createRateLimiter, RATE_LIMIT_ALGORITHMS } from '@redis-agent-kit/patterns/ratelimit';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { naiveSlidingWindow } from '../../suites/rate-limiter.suite.ts';
import {
  alternatingRounds,
  type BenchRow,
  compare,
  defineBenchmark,
  measured,
  ROUNDS,
  throughput,
} from '../benchmark.ts';

const CONCURRENCIES = [50, 1];
const IDS = 10_000;
const POLICY = { limit: 100, windowMs: 60_000 };
const PREFIX = 'rak:bench:rate-limiter';

interface Subject {
  name: string;
  /** Decides one request for `id`. */
  decide(id: string): Promise<unknown>;
  /** The key holding `id`'s state, for MEMORY USAGE; none for the ceiling. */
  keyFor?(id: string): string;
  /** The commands whose server time (INFO commandstats) makes up a decision. */
  commands: string[];
}

const SCRIPT_COMMANDS = ['evalsha', 'eval'];
/** The subjects the others are compared with, and the naive pipeline, by name. */
const CEILING = 'trivial EVALSHA returning 1 (ceiling)';
const RLFLX = 'rate-limiter-flexible RateLimiterRedis';
const NAIVE = 'naive pipeline (seed 001)';

/** `onOutageDecision` counts decisions the limiters' outage policy made instead of Redis (a timeout under load). */
function subjects(client: RedisClient, onOutageDecision: () => void): Subject[] {
  const trivial = new LuaScript('return 1');
  const rlflx = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${PREFIX}:rlflx`,
    points: POLICY.limit,
    duration: POLICY.windowMs / 1000,
  });
  const limiters = RATE_LIMIT_ALGORITHMS.map((algorithm) =>
    createRateLimiter(client, { algorithm, ...POLICY, prefix: `${PREFIX}:${algorithm}`, onOutage: 'fail-open' }),
  );
  return [
    {
      name: CEILING,
      decide: (id) => trivial.run(client, [`${PREFIX}:trivial:{${id}}`], []),
      commands: SCRIPT_COMMANDS,
    },
    {
      name: RLFLX,
      // consume() rejects with a RateLimiterRes when over the limit: that is a decision too.
      decide: (id) => rlflx.consume(id).catch((res: unknown) => res),
      keyFor: (id) => `${PREFIX}:rlflx:${id}`,
      commands: SCRIPT_COMMANDS,
    },
    {
      name: NAIVE,
      decide: (id) => naiveSlidingWindow(client, `${PREFIX}:naive:{${id}}`, POLICY.limit, POLICY.windowMs / 1000),
      keyFor: (id) => `${PREFIX}:naive:{${id}}`,
      commands: ['zremrangebyscore', 'zcard', 'zadd', 'expire'],
    },
    ...limiters.map((limiter) => ({
      name: limiter.algorithm,
      decide: async (id: string) => {
        if ((await limiter.limit(id)).source !== 'redis') onOutageDecision();
      },
      keyFor: (id: string) => limiter.keyFor(id),
      commands: SCRIPT_COMMANDS,
    })),
  ];
}

/** Server microseconds spent in `commands` since the last CONFIG RESETSTAT. */
async function serverMicros(client: RedisClient, commands: string[]): Promise<number> {
  const stats = parseInfo(String(await client.info('commandstats')));
  let total = 0;
  // Each field is `cmdstat_<command>:calls=…,usec=…,…`.
  for (const command of commands) total += Number(/usec=(\d+)/.exec(stats[`cmdstat_${command}`] ?? '')?.[1] ?? 0);
  return total;
}

/** Server CPU time (user + system, INFO cpu) in microseconds since it started. */
async function serverCpuMicros(client: RedisClient): Promise<number> {
  const cpu = parseInfo(String(await client.info('cpu')));
  return (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1e6;
}

/** A row factory for one metric whose rounds were collected by subject name. */
function rowsOf(metric: string, unit: string, rounds: Record<string, number[]>) {
  return (subject: string): BenchRow => measured(subject, metric, unit, rounds[subject] as number[]);
}

async function unlinkByPrefix(client: RedisClient): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await client.unlink(...keys);
  } while (cursor !== '0');
}

export default defineBenchmark({
  id: 'rate-limiter',
  title: `Rate limiter decisions/s (${CONCURRENCIES.join(' and ')} in flight, ${IDS.toLocaleString('en')} ids), server time and memory per key`,
  async run({ target, scale, log }) {
    const client = await connect({ url: target.url });
    try {
      let outageDecisions = 0;
      const all = subjects(client, () => outageDecisions++);
      const ms = Math.max(150, 650 * scale);
      const rates = new Map<number, Record<string, number[]>>();
      const micros = new Map<string, number[]>();
      /** CPU per decision by concurrency, subject and side, one figure per round. */
      const cpu = new Map<number, { client: Map<string, number[]>; server: Map<string, number[]> }>();
      const push = (map: Map<string, number[]>, name: string, value: number) =>
        map.set(name, [...(map.get(name) ?? []), value]);
      // Alternating rounds of every subject (warm-up discarded): no subject always runs on a warmer or colder
      // machine, and each round's figures form pairs with the anchor's of the same round.
      for (const concurrency of CONCURRENCIES) {
        let runs = 0;
        const cpuHere = { client: new Map<string, number[]>(), server: new Map<string, number[]>() };
        cpu.set(concurrency, cpuHere);
        const measure = (subject: Subject) => async () => {
          let next = runs++ * 7919; // each run starts elsewhere among the ids
          const first = next;
          await client.config('RESETSTAT');
          const serverBefore = await serverCpuMicros(client);
          const clientBefore = process.cpuUsage();
          const rate = await throughput(() => subject.decide(`id-${next++ % IDS}`), concurrency, ms);
          const clientCpu = process.cpuUsage(clientBefore);
          const decisions = next - first;
          push(cpuHere.client, subject.name, (clientCpu.user + clientCpu.system) / decisions);
          push(cpuHere.server, subject.name, ((await serverCpuMicros(client)) - serverBefore) / decisions);
          const perDecision = (await serverMicros(client, subject.commands)) / decisions;
          if (concurrency === CONCURRENCIES[0]) push(micros, subject.name, perDecision);
          return rate;
        };
        rates.set(
          concurrency,
          await alternatingRounds(Object.fromEntries(all.map((subject) => [subject.name, measure(subject)])), {
            log: (line) => log(`${concurrency} in flight: ${line}`),
          }),
        );
        await unlinkByPrefix(client);
      }
      const rows: BenchRow[] = [];
      for (const concurrency of CONCURRENCIES) {
        const row = rowsOf(
          `decisions/s, ${concurrency} in flight`,
          'decisions/s',
          rates.get(concurrency) as Record<string, number[]>,
        );
        const ceiling = row(CEILING);
        const rlflx = row(RLFLX);
        rows.push(ceiling, rlflx, compare(row(NAIVE), ceiling));
        // Goals (issue 15): every algorithm at least as fast as rate-limiter-flexible, the log within 0.8 of
        // the ceiling, at both concurrencies.
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const log = algorithm === 'sliding-window-log';
          rows.push(compare(row(algorithm), ceiling, log ? { min: 0.8 } : undefined));
          rows.push(compare(row(algorithm), rlflx, { min: 1.0 }));
        }
      }
      // CPU per decision, client and server, against rate-limiter-flexible's (warm-up rounds dropped).
      for (const concurrency of CONCURRENCIES) {
        const sides = cpu.get(concurrency) as { client: Map<string, number[]>; server: Map<string, number[]> };
        for (const [side, values] of Object.entries(sides)) {
          const cpuRow = rowsOf(
            `${side} CPU per decision, ${concurrency} in flight`,
            'µs',
            Object.fromEntries([...values].map(([name, rounds]) => [name, rounds.slice(ROUNDS.warmup)])),
          );
          const anchor = cpuRow(RLFLX);
          rows.push(anchor);
          for (const subject of all) if (subject.name !== RLFLX) rows.push(compare(cpuRow(subject.name), anchor));
        }
      }
      // Server time from the first concurrency's rounds; its warm-up round is dropped here as there.
      const microsRow = rowsOf(
        'server time per decision',
        'µs',
        Object.fromEntries([...micros].map(([name, values]) => [name, values.slice(ROUNDS.warmup)])),
      );
      const ceilingMicros = microsRow(CEILING);
      rows.push(ceilingMicros);
      for (const subject of all)
        if (subject.name !== CEILING) rows.push(compare(microsRow(subject.name), ceilingMicros));

      // Memory: one id after 100 requests within the minute (all admitted).
      const notes: string[] = [
        'server time is command execution only (INFO commandstats): the naive pipeline also pays four request parses and replies per decision, which it leaves out',
      ];
      const bytes = new Map<string, number>();
      for (const subject of all) {
        if (!subject.keyFor) continue;
        for (let i = 0; i < POLICY.limit; i++) await subject.decide('memory');
        const key = subject.keyFor('memory');
        bytes.set(subject.name, Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
        if ((await client.type(key)) === 'zset') {
          notes.push(`${subject.name}: ${await client.zcard(key)} members after ${POLICY.limit} requests`);
        }
      }
      // Exact figures (MEMORY USAGE of one key): one ratio, no rounds.
      const memoryRow = (subject: string): BenchRow => ({
        subject,
        metric: 'memory per key',
        value: bytes.get(subject) as number,
        unit: 'bytes',
      });
      const rlflxMemory = memoryRow(RLFLX);
      rows.push(rlflxMemory);
      for (const name of bytes.keys()) if (name !== RLFLX) rows.push(compare(memoryRow(name), rlflxMemory));
      if (outageDecisions > 0) notes.push(`${outageDecisions} decisions timed out and were made by the outage policy`);
      await unlinkByPrefix(client);
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
