/**
 * Time to audit 1M keys (× BENCH_SCALE) against `redis-cli --memkeys` (the anchor) and `--bigkeys` on the same
 * private server in the same run, and the GET latency a concurrent client sees (p50/p99, from a worker thread)
 * while nothing runs, while redis-cli --memkeys runs, and while the audit runs uncapped and capped.
 * Each of the five scans runs once per round, in alternating rounds (the first discarded): ratios are the median of
 * the per-round ratios, with their spread. The keyspace: DEBUG POPULATE namespaces of strings (some with TTL) plus hashes and lists, so every part of
 * the audit has work. redis-cli scans with COUNT 10 unless told otherwise; it is also timed with --count 1000
 * (the audit's default) so the comparison is like for like. The audit runs with its read-only inspection script
 * (the default) and with pipelined per-key commands (`useScripts: false`, what read-only ACL users get).
 */
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
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
const LATENCY_KEY = 'bench:latency:probe';

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

/** Runs `work` while the probe worker measures GET latency; returns the work's result and the latencies. */
async function underProbe<T>(probe: Worker, work: () => Promise<T>): Promise<{ result: T; latencies: number[] }> {
  probe.postMessage('start');
  let result: T;
  try {
    result = await work();
  } finally {
    probe.postMessage('stop');
  }
  const latencies = await new Promise<number[]>((resolve) => probe.once('message', resolve));
  return { result, latencies };
}

export default defineBenchmark({
  id: 'key-audit',
  title: 'Key audit of 1M keys vs redis-cli --memkeys/--bigkeys, and latency seen by a concurrent client',
  async run({ scale, log }) {
    const total = Math.round(1_000_000 * scale);
    const server = await LocalServer.start({ kind: 'redis', args: ['--enable-debug-command', 'local'] });
    const client = await connect({ url: server.url });
    const probe = new Worker(new URL('./key-audit-latency-probe.ts', import.meta.url), {
      workerData: { port: server.port, key: LATENCY_KEY },
    });
    try {
      log(`seeding ${total.toLocaleString('en')} keys`);
      await seed(client, total);
      await client.set(LATENCY_KEY, 'x'.repeat(100));
      const keys = await client.dbsize();
      const rows: BenchRow[] = [];
      const seconds = (subject: string, values: number[]): BenchRow => measured(subject, 'time', 's', values);
      const latencyRows = (subject: string, latencies: number[]): BenchRow[] => [
        { subject, metric: 'GET p50', value: percentile(latencies, 50), unit: 'ms' },
        { subject, metric: 'GET p99', value: percentile(latencies, 99), unit: 'ms' },
        { subject, metric: 'GET p99.9', value: percentile(latencies, 99.9), unit: 'ms' },
        { subject, metric: 'GET max', value: latencies.at(-1) ?? Number.NaN, unit: 'ms' },
      ];

      const idle = await underProbe(probe, () => new Promise((r) => setTimeout(r, 2000)));
      // Every scan of the keyspace once per round, rounds alternating the order, the first discarded; the probe's
      // latencies are kept per round too, so the warm-up's can be dropped with it.
      const probed = { memkeys: [] as number[][], audit: [] as number[][], pipelined: [] as number[][] };
      let report: Awaited<ReturnType<typeof auditKeyspace>> | undefined;
      const rounds = await alternatingRounds(
        {
          memkeys: async () => {
            const run = await underProbe(probe, () => redisCli(server.port, ['--memkeys']));
            probed.memkeys.push(run.latencies);
            return run.result;
          },
          memkeys1000: () => redisCli(server.port, ['--memkeys', '--count', '1000']),
          bigkeys: () => redisCli(server.port, ['--bigkeys']),
          audit: async () => {
            const run = await underProbe(probe, () => auditKeyspace(client));
            probed.audit.push(run.latencies);
            report = run.result;
            return run.result.durationMs / 1000;
          },
          pipelined: async () => {
            const run = await underProbe(probe, () => auditKeyspace(client, { useScripts: false }));
            probed.pipelined.push(run.latencies);
            return run.result.durationMs / 1000;
          },
        },
        { measured: 5, log },
      );
      const measuredLatencies = (runs: number[][]) => runs.slice(ROUNDS.warmup).flat().sort((a, b) => a - b);
      const memkeys = { latencies: measuredLatencies(probed.memkeys) };
      const audit = { latencies: measuredLatencies(probed.audit) };
      const pipelined = { latencies: measuredLatencies(probed.pipelined) };
      if (!report) throw new Error('the audit did not run');
      const anchor = seconds('redis-cli --memkeys (anchor)', rounds.memkeys);
      rows.push(
        anchor,
        compare(seconds('redis-cli --memkeys --count 1000', rounds.memkeys1000), anchor),
        compare(seconds('redis-cli --bigkeys', rounds.bigkeys), anchor),
        compare(seconds('auditKeyspace (uncapped)', rounds.audit), anchor, { max: 1 }),
        compare(seconds('auditKeyspace (uncapped, useScripts: false)', rounds.pipelined), anchor),
      );

      log(`auditKeyspace capped at ${CAP_OPS} ops/s (10 s, then stopped)`);
      const capped = await underProbe(probe, async () => {
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
          subject: 'auditKeyspace (uncapped)',
          metric: 'keys/s',
          value: report.totals.scanned / median(rounds.audit),
          unit: 'keys/s',
        },
        { subject: `auditKeyspace (capped ${CAP_OPS} ops/s)`, metric: 'keys/s', value: capped.result, unit: 'keys/s' },
        ...latencyRows('idle server', idle.latencies),
        ...latencyRows('during redis-cli --memkeys', memkeys.latencies),
        ...latencyRows('during audit (uncapped)', audit.latencies),
        ...latencyRows('during audit (uncapped, useScripts: false)', pipelined.latencies),
        ...latencyRows(`during audit (capped ${CAP_OPS} ops/s)`, capped.latencies),
      );
      const notes = [
        `${keys.toLocaleString('en')} keys; audit inspected ${report.totals.scanned.toLocaleString('en')} with ${report.totals.commands.toLocaleString('en')} commands`,
        `audit reported ${report.findings.length} findings, ${Object.keys(report.types).length} types, ${report.withoutTtl.keys.toLocaleString('en')} keys without TTL; rules not applied: ${
          report.rules
            .filter((r) => !r.applied)
            .map((r) => r.rule)
            .join(', ') || 'none'
        }`,
      ];
      return { rows, notes };
    } finally {
      probe.postMessage('exit');
      await closeClient(client);
      await server.stop();
    }
  },
});
