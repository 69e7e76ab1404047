/**
 * Sampling and counting on private servers (their whole keyspace is known, unlike the shared targets'):
 * - a sample's estimates for each prefix agree with the exact audit within their stated 95% intervals, and totals
 *   are exact (every key is sized in a light pass);
 * - on a heavy-tailed keyspace (three big keys holding about 4% of the bytes), the intervals cover the truth in
 *   about 95% of repeated samples: the big keys are found by the pass and inspected in full, never left to chance;
 * - samples are drawn at random (two runs differ), also without the sizing pass (from a random cursor);
 * - `totals.commands` and `totals.commandsInScripts` are what the server counted (INFO commandstats).
 */
import { closeClient, connect, parseInfo, probeCapabilities, type RedisClient } from '@redis-agent-kit/patterns';
import { type AuditReport, auditKeyspace, type Estimate, type PrefixNode } from '@redis-agent-kit/patterns/audit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanKeys } from '../../packages/patterns/src/audit/scanner.ts';
import { LocalServer } from '../src/targets/local-server.ts';

const A_KEYS = 15_000;
const B_KEYS = 5_000;
const SAMPLE = 2_000;

function child(report: AuditReport, prefix: string): PrefixNode {
  const node = report.prefixes.children?.find((c) => c.prefix === prefix);
  if (!node) throw new Error(`no prefix ${prefix}`);
  return node;
}

async function fill(client: RedisClient, count: number, command: (i: number) => [string, ...(string | number)[]]) {
  for (let start = 0; start < count; start += 1000) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const [name, ...args] = command(i);
      p.call(name, ...args);
    }
    await p.exec();
  }
}

describe('key audit sampling', () => {
  let server: LocalServer;
  let exact: AuditReport;
  let sampled: AuditReport;
  let again: AuditReport;
  let cursorSamples: AuditReport[];

  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    const client = await connect({ url: server.url });
    try {
      // Varied sizes so the byte estimate has a real variance to state.
      await fill(client, A_KEYS + B_KEYS, (i) =>
        i < A_KEYS
          ? ['SET', `a:item:${i}`, 'x'.repeat(50 + (i % 200))]
          : ['SET', `b:item:${i}`, 'y'.repeat(1000 + (i % 500)), 'EX', 600],
      );
      exact = await auditKeyspace(client);
      sampled = await auditKeyspace(client, { sampleKeys: SAMPLE, sizePass: true });
      again = await auditKeyspace(client, { sampleKeys: SAMPLE, sizePass: true });
      cursorSamples = [
        await auditKeyspace(client, { sampleKeys: SAMPLE }),
        await auditKeyspace(client, { sampleKeys: SAMPLE }),
      ];
    } finally {
      await closeClient(client);
    }
  });
  afterAll(() => server?.stop());

  it('inspects the sample, says it sampled, and gives exact totals', () => {
    expect(exact.totals.sampled).toBe(false);
    expect(exact.totals.scanned).toBe(A_KEYS + B_KEYS);
    expect(sampled.totals.sampled).toBe(true);
    expect(sampled.totals.scanned).toBe(SAMPLE);
    expect(sampled.totals.dbsize).toBe(A_KEYS + B_KEYS);
    const total = A_KEYS + B_KEYS;
    expect(sampled.totals.estimatedKeys).toEqual({ value: total, low: total, high: total });
    expect(sampled.totals.estimatedBytes).toEqual({
      value: exact.totals.bytes,
      low: exact.totals.bytes,
      high: exact.totals.bytes,
    });
    expect(sampled.notes.join(' ')).toMatch(
      /every key was sized \(20000 keys, totals exact\); the 0 keys of at least 10240 bytes .* 2000 of the other 20000 at random/,
    );
  });

  it('draws another sample each run', () => {
    expect(child(again, 'a').estimatedBytes).not.toEqual(child(sampled, 'a').estimatedBytes);
  });

  it('walks the whole keyspace from a random cursor, every key once', async () => {
    const client = await connect({ url: server.url });
    try {
      for (let run = 0; run < 3; run++) {
        const seen: string[] = [];
        const options = {
          match: 'b:*',
          count: 100,
          randomStart: true,
          beforeSend: async () => {},
          deadline: <T>(p: Promise<T>) => p,
        };
        for await (const batch of scanKeys(client as Redis, options)) seen.push(...batch);
        expect(seen.length).toBe(B_KEYS);
        expect(new Set(seen).size).toBe(B_KEYS);
      }
    } finally {
      await closeClient(client);
    }
  });

  it('finds every key of a tiny keyspace from any random cursor, also when the walk ends in its first calls', async () => {
    // Database 5 holds one key: the walk wraps to cursor 0 and ends within two calls, whose keys it keeps to drop
    // repeats from its last call. It once dropped the last call's own keys: about every other sample found nothing.
    const client = await connect({ url: `${server.url}/5` });
    try {
      await client.set('only:key', 'v');
      const walks: number[] = [];
      for (let run = 0; run < 40; run++) {
        const seen: string[] = [];
        const options = {
          match: '*',
          count: 100,
          randomStart: true,
          beforeSend: async () => {},
          deadline: <T>(p: Promise<T>) => p,
        };
        for await (const batch of scanKeys(client as Redis, options)) seen.push(...batch);
        walks.push(seen.length);
      }
      expect(walks).toEqual(Array.from({ length: 40 }, () => 1));
      const report = await auditKeyspace(client, { sampleKeys: 10 });
      expect(report.totals.scanned).toBe(1);
    } finally {
      await client.flushdb();
      await closeClient(client);
    }
  });

  it('without the sizing pass, samples from a random cursor and says what its intervals assume', () => {
    const [first, second] = cursorSamples as [AuditReport, AuditReport];
    expect(first.totals.scanned).toBe(SAMPLE);
    expect(first.totals.sampled).toBe(true);
    expect(first.notes.join(' ')).toMatch(/sampled 2000 of 20000 keys from a random cursor.*assume no key far bigger/);
    expect(child(first, 'a').estimatedBytes).not.toEqual(child(second, 'a').estimatedBytes);
    const truth = child(exact, 'b');
    const estimate = child(first, 'b').estimatedKeys;
    expect(Math.abs((estimate?.value ?? 0) - truth.keys)).toBeLessThanOrEqual(
      2 * ((estimate?.high ?? 0) - (estimate?.value ?? 0)),
    );
  });

  it.each(['a', 'b'])('estimates keys and bytes under %s: within the stated interval of the exact audit', (prefix) => {
    const truth = child(exact, prefix);
    const estimate = child(sampled, prefix);
    for (const [value, est] of [
      [truth.keys, estimate.estimatedKeys],
      [truth.bytes, estimate.estimatedBytes],
    ] as const) {
      const margin = (est?.high ?? 0) - (est?.value ?? 0);
      expect(margin).toBeGreaterThan(0);
      expect(Math.abs((est?.value ?? 0) - value)).toBeLessThanOrEqual(2 * margin);
    }
  });
});

describe('key audit sampling on a heavy-tailed keyspace', () => {
  const SMALL = 3_000;
  const RUNS = 30;
  let server: LocalServer;
  let exact: AuditReport;
  const runs: AuditReport[] = [];

  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    const client = await connect({ url: server.url });
    try {
      await fill(client, SMALL, (i) => ['SET', `${i % 2 ? 'x' : 'y'}:item:${i}`, 'v'.repeat(40 + ((i * 7919) % 300))]);
      // Three big keys under x: about 4% of all bytes, missed by most samples of 150 keys.
      await fill(client, 3, (i) => ['SET', `x:blob:${i}`, 'b'.repeat(12 * 1024)]);
      exact = await auditKeyspace(client);
      for (let i = 0; i < RUNS; i++) runs.push(await auditKeyspace(client, { sampleKeys: 150, sizePass: true }));
    } finally {
      await closeClient(client);
    }
  });
  afterAll(() => server?.stop());

  it('states intervals that cover the truth in about 95% of samples, the big keys counted exactly', () => {
    const share = (exact.bigKeys.bytes / exact.totals.bytes) * 100;
    expect(share).toBeGreaterThan(3);
    expect(share).toBeLessThan(6);
    const covers = (e: Estimate | undefined, truth: number) => !!e && e.low <= truth && truth <= e.high;
    let covered = 0;
    let intervals = 0;
    for (const run of runs) {
      expect(run.bigKeys.keys).toBe(3);
      expect(run.totals.estimatedBytes?.value).toBe(exact.totals.bytes);
      for (const prefix of ['x', 'y']) {
        const truth = child(exact, prefix);
        const estimate = child(run, prefix);
        for (const [value, est] of [
          [truth.keys, estimate.estimatedKeys],
          [truth.bytes, estimate.estimatedBytes],
        ] as const) {
          intervals++;
          if (covers(est, value)) covered++;
        }
      }
    }
    // 120 intervals at 95%: about 114 cover; below 102 is five standard deviations off.
    expect(covered).toBeGreaterThanOrEqual(Math.floor(intervals * 0.85));
  });
});

describe('key audit command counts', () => {
  it('counts the commands it sent and those its scripts ran, as the server does', async () => {
    const server = await LocalServer.start({ kind: 'redis' });
    const admin = await connect({ url: server.url });
    const auditor = await connect({ url: server.url });
    try {
      await fill(admin, 3000, (i) => (i % 3 ? ['SET', `c:${i}`, 'v'] : ['HSET', `h:${i}`, 'f', 'v']));
      const capabilities = await probeCapabilities(auditor);
      for (const options of [{}, { useScripts: false }, { sampleKeys: 500, sizePass: true }, { sampleKeys: 500 }]) {
        await admin.call('CONFIG', 'RESETSTAT');
        const report = await auditKeyspace(auditor, { capabilities, ...options });
        const stats = parseInfo(String(await admin.info('commandstats')));
        // INFO commandstats does not count itself; CONFIG RESETSTAT is ours.
        let calls = 0;
        for (const [name, text] of Object.entries(stats)) {
          if (name !== 'cmdstat_config|resetstat') calls += Number(/calls=(\d+)/.exec(text)?.[1] ?? 0);
        }
        expect(calls, JSON.stringify(options)).toBe(report.totals.commands + report.totals.commandsInScripts);
      }
    } finally {
      await closeClient(auditor);
      await closeClient(admin);
      await server.stop();
    }
  });
});
