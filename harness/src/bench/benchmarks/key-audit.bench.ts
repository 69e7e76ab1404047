/**
 * The key audit against `redis-cli --memkeys` (the anchor) and `--bigkeys` on the same private server in the same
 * run: total time, the longest server time of any one command each sends (SLOWLOG at SLOWLOG_US, filtered by client
 * name), how many took over 1 ms, server time per command from INFO commandstats, and the GET latency a concurrent
 * client sees (p50/p99, from a worker thread) idle, during --memkeys and during the audit (script, pipelined, sampled
 * with its sizing pass, capped). The goals: the audit no slower than --memkeys, no command over 1 ms, a concurrent
 * GET's p99 within 2× idle. Each scan runs once per round, in alternating rounds (the first discarded): times are
 * the median of the rounds and ratios the median of the per-round ratios; latencies and SLOWLOG figures pool the
 * measured rounds.
 *
 * Keys: KEY_AUDIT_KEYS (default 100,000, so the benchmark stays quick) × BENCH_SCALE; run it once with
 * KEY_AUDIT_KEYS=1000000 for the 1M-key figures. The keyspace: DEBUG POPULATE namespaces of strings (some with TTL)
 * plus hashes and lists, so every part of the audit has work. redis-cli scans with COUNT 10 unless told otherwise;
 * it is also timed with --count 1000.
 */
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { closeClient, connect, parseInfo, type RedisClient } from '@redis-agent-kit/patterns';
import { auditKeyspace } from '@redis-agent-kit/patterns/audit';
import { binaryCommand } from '../../provision/binaries.ts';
import { LocalServer } from '../../targets/local-server.ts';
import {
  alternatingRounds,
  type BenchRow,
  compare,
  defineBenchmark,
  measured,
  median,
  percentile,
  ROUNDS,
} from '../benchmark.ts';

const CAP_OPS = 50_000;
/** The sample of the sampled phase (with its sizing pass over every key). */
const SAMPLE_KEYS = 10_000;
/** Keys the pipelined (no script) audit inspects at most: on 1M keys it would take minutes. */
const PIPELINED_KEYS = 100_000;
const LATENCY_KEY = 'bench:latency:probe';
/** SLOWLOG threshold while measuring: low enough that the slowest command of every phase is logged. */
const SLOWLOG_US = 100;
const AUDIT_CLIENT = 'rak-bench-audit';
const ADMIN_CLIENT = 'rak-bench-admin';
const PROBE_CLIENT = 'rak-bench-probe';

async function seed(client: RedisClient, total: number): Promise<void> {
  const shares: [string, number, number][] = [
    ['cache:product', 0.5, 200],
    ['sess', 0.3, 400],
    ['user:profile', 0.15, 100],
  ];
  for (const [prefix, share, size] of shares) {
    await client.call('DEBUG', 'POPULATE', String(Math.floor(total * share)), prefix, String(size));
  }
  // The remaining 5%: hashes and lists, and TTLs on the sessions.
  const rest = total - shares.reduce((sum, [, share]) => sum + Math.floor(total * share), 0);
  for (let start = 0; start < rest; start += 1000) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(rest, start + 1000); i++) {
      if (i % 2) p.hset(`user:settings:${i}`, { theme: 'dark', lang: 'en', tz: 'UTC' });
      else p.rpush(`queue:events:${i}`, 'a', 'b', 'c', 'd');
    }
    await p.exec();
  }
  for (let start = 0; start < Math.floor(total * 0.3); start += 1000) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(Math.floor(total * 0.3), start + 1000); i++) p.expire(`sess:${i}`, 3600);
    await p.exec();
  }
}

function redisCli(port: number, args: string[]): Promise<number> {
  const { command, args: prefix } = binaryCommand('redis', 'cli');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, '-h', '127.0.0.1', '-p', String(port), ...args], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve((performance.now() - started) / 1000)
        : reject(new Error(`redis-cli ${args} exited ${code}`)),
    );
  });
}

interface Phase<T> {
  result: T;
  latencies: number[];
  /** The slowest command of the phase's own client, in ms, and those that took over 1 ms (name and ms). */
  maxCommandMs: number;
  overOneMs: { command: string; ms: number }[];
  /** INFO commandstats of the phase: calls and µs per call by command. */
  commands: { command: string; calls: number; usecPerCall: number }[];
}

/**
 * Runs `work` while the probe worker measures GET latency, with the server's statistics reset first; `ownClient`
 * tells the phase's commands in SLOWLOG by client name ('' for redis-cli).
 */
async function phase<T>(
  admin: RedisClient,
  probe: Worker,
  ownClient: string,
  work: () => Promise<T>,
): Promise<Phase<T>> {
  await admin.call('CONFIG', 'RESETSTAT');
  await admin.call('SLOWLOG', 'RESET');
  probe.postMessage('start');
  let result: T;
  try {
    result = await work();
  } finally {
    probe.postMessage('stop');
  }
  const latencies = await new Promise<number[]>((resolve) => probe.once('message', resolve));
  const log = (await admin.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[], string, string][];
  const own = log
    .filter((entry) => entry[5] === ownClient)
    .map((entry) => ({ command: String(entry[3][0]).toUpperCase(), ms: entry[2] / 1000 }));
  const stats = parseInfo(String(await admin.info('commandstats')));
  const commands = Object.entries(stats)
    .map(([name, text]) => ({
      command: name.replace(/^cmdstat_/, ''),
      calls: Number(/calls=(\d+)/.exec(text)?.[1] ?? 0),
      usecPerCall: Number(/usec_per_call=([\d.]+)/.exec(text)?.[1] ?? 0),
    }))
    .filter((c) => !['get', 'slowlog', 'config', 'info', 'client', 'hello'].includes(c.command))
    .sort((a, b) => b.calls - a.calls);
  return {
    result,
    latencies,
    maxCommandMs: own.length ? Math.max(...own.map((c) => c.ms)) : SLOWLOG_US / 1000,
    overOneMs: own.filter((c) => c.ms > 1),
    commands,
  };
}

/** A subject's phases over the measured rounds, pooled. */
function pooled(phases: Phase<unknown>[]): Omit<Phase<unknown>, 'result'> {
  return {
    latencies: phases.flatMap((p) => p.latencies).sort((a, b) => a - b),
    maxCommandMs: Math.max(...phases.map((p) => p.maxCommandMs)),
    overOneMs: phases.flatMap((p) => p.overOneMs),
    commands: phases.at(-1)?.commands ?? [],
  };
}

export default defineBenchmark({
  id: 'key-audit',
  title: 'Key audit vs redis-cli --memkeys/--bigkeys: time, longest command, and latency seen by a concurrent client',
  async run({ scale, log }) {
    const total = Math.round(Number(process.env.KEY_AUDIT_KEYS ?? 100_000) * scale);
    const server = await LocalServer.start({ kind: 'redis', args: ['--enable-debug-command', 'local'] });
    const admin = await connect({ url: server.url, name: ADMIN_CLIENT });
    const client = await connect({ url: server.url, name: AUDIT_CLIENT });
    const probe = new Worker(new URL('./key-audit-latency-probe.ts', import.meta.url), {
      workerData: { port: server.port, key: LATENCY_KEY },
    });
    try {
      log(`seeding ${total.toLocaleString('en')} keys`);
      await seed(admin, total);
      await admin.set(LATENCY_KEY, 'x'.repeat(100));
      await admin.call('CONFIG', 'SET', 'slowlog-log-slower-than', String(SLOWLOG_US), 'slowlog-max-len', '1000000');
      const keys = await admin.dbsize();
      const rows: BenchRow[] = [];
      const notes: string[] = [];
      const seconds = (subject: string, values: number[]): BenchRow => measured(subject, 'time', 's', values);
      const idle = await phase(admin, probe, PROBE_CLIENT, () => new Promise((r) => setTimeout(r, 2000)));
      const idleRow: BenchRow = {
        subject: 'idle server',
        metric: 'GET p99',
        value: percentile(idle.latencies, 99),
        unit: 'ms',
      };
      const phaseRows = (subject: string, p: Omit<Phase<unknown>, 'result'>, goals: boolean): BenchRow[] => {
        const p99: BenchRow = { subject, metric: 'GET p99', value: percentile(p.latencies, 99), unit: 'ms' };
        const slowest: BenchRow = { subject, metric: 'longest command', value: p.maxCommandMs, unit: 'ms' };
        const over: BenchRow = { subject, metric: 'commands over 1 ms', value: p.overOneMs.length, unit: 'commands' };
        const slow = p.overOneMs.map((c) => `${c.command} ${c.ms} ms`).join(', ');
        notes.push(
          `${subject}: ${p.commands
            .slice(0, 6)
            .map((c) => `${c.command} ${c.calls.toLocaleString('en')} × ${c.usecPerCall} µs`)
            .join(', ')}${slow ? `; over 1 ms: ${slow}` : ''}`,
        );
        return [
          { subject, metric: 'GET p50', value: percentile(p.latencies, 50), unit: 'ms' },
          goals ? compare(p99, idleRow, { max: 2 }) : compare(p99, idleRow),
          { subject, metric: 'GET max', value: p.latencies.at(-1) ?? Number.NaN, unit: 'ms' },
          goals ? { ...slowest, goal: '<= 1 ms', met: slowest.value <= 1 } : slowest,
          goals ? { ...over, goal: '0', met: over.value === 0 } : over,
        ];
      };

      // Pipelined per-key commands (what a user who may not run scripts gets), on at most PIPELINED_KEYS keys.
      const pipelinedSample = total > PIPELINED_KEYS ? PIPELINED_KEYS : undefined;
      const pipelinedSubject = `auditKeyspace (useScripts: false${pipelinedSample ? `, ${PIPELINED_KEYS} keys` : ''})`;
      const sampledSubject = `auditKeyspace (sample ${SAMPLE_KEYS}, sizing pass)`;
      // Every scan of the keyspace once per round, rounds alternating the order, the first discarded; each phase's
      // probe latencies and SLOWLOG figures are kept per round, so the warm-up's are dropped with it.
      const phases = {
        memkeys: [] as Phase<unknown>[],
        audit: [] as Phase<unknown>[],
        pipelined: [] as Phase<unknown>[],
        sampled: [] as Phase<unknown>[],
      };
      let report: Awaited<ReturnType<typeof auditKeyspace>> | undefined;
      const rounds = await alternatingRounds(
        {
          memkeys: async () => {
            const run = await phase(admin, probe, '', () => redisCli(server.port, ['--memkeys']));
            phases.memkeys.push(run);
            return run.result;
          },
          memkeys1000: () => redisCli(server.port, ['--memkeys', '--count', '1000']),
          bigkeys: () => redisCli(server.port, ['--bigkeys']),
          audit: async () => {
            const run = await phase(admin, probe, AUDIT_CLIENT, () => auditKeyspace(client));
            phases.audit.push(run);
            report = run.result;
            return run.result.durationMs / 1000;
          },
          pipelined: async () => {
            const run = await phase(admin, probe, AUDIT_CLIENT, () =>
              auditKeyspace(client, { useScripts: false, ...(pipelinedSample ? { sampleKeys: pipelinedSample } : {}) }),
            );
            phases.pipelined.push(run);
            return run.result.durationMs / 1000;
          },
          sampled: async () => {
            const run = await phase(admin, probe, AUDIT_CLIENT, () =>
              auditKeyspace(client, { sampleKeys: SAMPLE_KEYS, sizePass: true }),
            );
            phases.sampled.push(run);
            return run.result.durationMs / 1000;
          },
        },
        { measured: 5, log },
      );
      const measuredPhases = (runs: Phase<unknown>[]) => pooled(runs.slice(ROUNDS.warmup));
      if (!report) throw new Error('the audit did not run');
      const anchor = seconds('redis-cli --memkeys (anchor)', rounds.memkeys);
      rows.push(
        anchor,
        compare(seconds('redis-cli --memkeys --count 1000', rounds.memkeys1000), anchor),
        compare(seconds('redis-cli --bigkeys', rounds.bigkeys), anchor),
        compare(seconds('auditKeyspace', rounds.audit), anchor, { max: 1 }),
        compare(seconds(sampledSubject, rounds.sampled), anchor),
        pipelinedSample
          ? seconds(pipelinedSubject, rounds.pipelined)
          : compare(seconds(pipelinedSubject, rounds.pipelined), anchor),
      );

      log(`auditKeyspace capped at ${CAP_OPS} ops/s (10 s, then stopped)`);
      const capped = await phase(admin, probe, AUDIT_CLIENT, async () => {
        const started = performance.now();
        let inspected = 0;
        const signal = AbortSignal.timeout(10_000 * Math.max(0.3, scale));
        await auditKeyspace(client, {
          maxOpsPerSecond: CAP_OPS,
          signal,
          onProgress: (p) => {
            inspected = p.scanned;
          },
        }).catch((error: Error) => {
          if (!signal.aborted) throw error;
        });
        return (inspected * 1000) / (performance.now() - started);
      });
      rows.push(
        {
          subject: 'auditKeyspace',
          metric: 'keys/s',
          value: report.totals.scanned / median(rounds.audit),
          unit: 'keys/s',
        },
        { subject: `auditKeyspace (capped ${CAP_OPS} ops/s)`, metric: 'keys/s', value: capped.result, unit: 'keys/s' },
        { ...idleRow, metric: 'GET p50', value: percentile(idle.latencies, 50) },
        idleRow,
        ...phaseRows('during redis-cli --memkeys', measuredPhases(phases.memkeys), false),
        ...phaseRows('during auditKeyspace', measuredPhases(phases.audit), true),
        ...phaseRows(`during ${pipelinedSubject}`, measuredPhases(phases.pipelined), true),
        ...phaseRows(`during ${sampledSubject}`, measuredPhases(phases.sampled), true),
        ...phaseRows(`during auditKeyspace (capped ${CAP_OPS} ops/s)`, capped, false),
      );
      notes.unshift(
        `${keys.toLocaleString('en')} keys; audit inspected ${report.totals.scanned.toLocaleString('en')} with ${report.totals.commands.toLocaleString('en')} commands sent (${report.totals.commandsInScripts.toLocaleString('en')} run inside scripts)`,
        `audit reported ${report.findings.length} findings, ${Object.keys(report.types).length} types, ${report.withoutTtl.keys.toLocaleString('en')} keys without TTL; rules not applied: ${
          report.rules
            .filter((r) => !r.applied)
            .map((r) => r.rule)
            .join(', ') || 'none'
        }`,
        `longest command from SLOWLOG at ${SLOWLOG_US} µs (a phase with none logged shows ${SLOWLOG_US / 1000} ms); server time per command from INFO commandstats (last round):`,
      );
      return { rows, notes };
    } finally {
      probe.postMessage('exit');
      await closeClient(client);
      await closeClient(admin);
      await server.stop();
    }
  },
});
