/**
 * The near cache's promise across processes, on a private Redis 8, Valkey 8.1 and Redis Cluster each: reader
 * processes read one key through L1 while this process writes new versions with plain ioredis (another client, as
 * another service would). After each acknowledged write every reader must serve the new version (a liveness bound
 * of 10 s: a stale copy that nothing invalidates would never go), and no reader ever serves a version older than
 * one it already served. Midway the invalidation connections are killed (CLIENT KILL), then the server (on the
 * cluster: the master of the key) is killed and restarted empty: no stale read survives either.
 *
 * The time from each write's acknowledgement until a reader serves the new value is printed (p50/p99), never
 * asserted.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { keySlot, masters } from '@redis-agent-kit/patterns/cluster';
import type { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { percentile } from '../src/bench/benchmark.ts';
import { targetConnection } from '../src/targets/describe.ts';
import { LocalCluster } from '../src/targets/local-cluster.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import type { ReaderReport, ReaderSetup } from './products-cache-l1.reader.ts';

const READERS = 3;
const VERSIONS = 60;
const KILL_SUBSCRIBERS_AT = 20;
const RESTART_SERVER_AT = 40;
const NAMESPACE = 'rak:products-cache-l1';
const KEY = 'product:hot';
const FULL_KEY = `${NAMESPACE}:${KEY}`;

interface Private {
  name: string;
  connection: ReaderSetup['connection'];
  /** Kills and restarts the server that holds the key (its data is gone). */
  restartKeyServer(writer: RedisClient): Promise<void>;
  stop(): Promise<void>;
}

const started: Private[] = [];
afterAll(async () => {
  await Promise.all(started.map((target) => target.stop()));
});

async function standalone(kind: 'redis' | 'valkey'): Promise<Private> {
  const server = await LocalServer.start({ kind });
  const target: Private = {
    name: kind === 'redis' ? 'Redis 8' : 'Valkey 8.1',
    connection: { url: server.url },
    async restartKeyServer() {
      await server.kill();
      await server.restart();
    },
    stop: () => server.stop(),
  };
  started.push(target);
  return target;
}

async function cluster(): Promise<Private> {
  const local = await LocalCluster.start('redis');
  const target: Private = {
    name: 'Redis Cluster',
    connection: targetConnection({ url: local.urls[0] as string, cluster: true, nodes: local.urls }),
    async restartKeyServer(writer) {
      const address = (writer as Cluster).slots[keySlot(FULL_KEY)]?.[0] ?? '';
      const server = local.servers.find((s) => address.endsWith(`:${s.port}`));
      if (!server) throw new Error(`no local server at ${address}`);
      await server.kill();
      await server.restart();
    },
    stop: () => local.stop(),
  };
  started.push(target);
  return target;
}

/** The envelope the cache stores, as a plain SET with a TTL: version `version`, fresh for a minute. */
function envelope(version: number): string {
  return JSON.stringify({ v: { version }, d: 1, e: Date.now() + 60_000 });
}

/** Retries a write while the server restarts (bounded: 30 s). */
async function writeVersion(writer: RedisClient, version: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writer.set(FULL_KEY, envelope(version), 'PX', 120_000);
      return;
    } catch (error) {
      if (attempt >= 300) throw error;
      await sleep(100);
    }
  }
}

/** Kills every connection subscribed to invalidations (the readers' L1 subscribers) on every master. */
async function killSubscribers(writer: RedisClient): Promise<number> {
  let killed = 0;
  for (const node of masters(writer)) killed += Number(await node.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
  return killed;
}

function spawnReader(target: Private): { child: ChildProcess; ready: Promise<void> } {
  const child = fork(join(import.meta.dirname, 'products-cache-l1.reader.ts'), [], {
    execArgv: ['--conditions=source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`reader exited with ${code} before it was ready`)));
  });
  const setup: ReaderSetup = { connection: target.connection, namespace: NAMESPACE, key: KEY, loops: 4 };
  child.send({ setup });
  return { child, ready };
}

async function run(target: Private) {
  const writer = await connect({ ...target.connection, commandTimeoutMs: 1000 });
  const readers = Array.from({ length: READERS }, () => spawnReader(target));
  const delays: number[] = [];
  try {
    await writeVersion(writer, 1);
    await Promise.all(readers.map((r) => r.ready));
    const seen = readers.map(() => 0);
    readers.forEach(({ child }, i) => {
      child.on('message', (message: { seen?: number; delayMs?: number }) => {
        if (message.seen === undefined) return;
        seen[i] = Math.max(seen[i] as number, message.seen);
        if (message.delayMs !== undefined) delays.push(message.delayMs);
      });
    });
    let subscribersKilled = 0;
    for (let version = 2; version <= VERSIONS; version++) {
      if (version === KILL_SUBSCRIBERS_AT) subscribersKilled = await killSubscribers(writer);
      if (version === RESTART_SERVER_AT) await target.restartKeyServer(writer);
      await writeVersion(writer, version);
      const at = performance.timeOrigin + performance.now();
      for (const { child } of readers) child.send({ acked: version, at });
      for (let waited = 0; seen.some((s) => s < version); waited += 5) {
        if (waited > 10_000) {
          throw new Error(
            `10 s after version ${version} was acknowledged, readers have served only ${seen.join(', ')}`,
          );
        }
        await sleep(5);
      }
    }
    const reports = await Promise.all(
      readers.map(
        ({ child }) =>
          new Promise<ReaderReport>((resolve) => {
            child.on('message', (message: { report?: ReaderReport }) => message.report && resolve(message.report));
            child.send({ stop: true });
          }),
      ),
    );
    return { reports, delays: delays.sort((a, b) => a - b), subscribersKilled };
  } finally {
    for (const { child } of readers) if (child.exitCode === null) child.kill();
    await closeClient(writer);
  }
}

describe('near cache across processes: no stale read after an acknowledged write, through reconnects', () => {
  for (const [name, start] of [
    ['Redis 8', () => standalone('redis')],
    ['Valkey 8.1', () => standalone('valkey')],
    ['Redis Cluster', () => cluster()],
  ] as const) {
    it(`${name}: ${READERS} readers, ${VERSIONS} versions, subscribers killed, the server restarted`, async () => {
      const target = await start();
      const { reports, delays, subscribersKilled } = await run(target);
      expect(reports.flatMap((r) => r.violations)).toEqual([]);
      expect(subscribersKilled).toBeGreaterThanOrEqual(READERS);
      for (const report of reports) {
        // L1 was in play (most reads answered in-process) and was emptied at least on each fault.
        expect(report.l1Hits).toBeGreaterThan(0);
        expect(report.l1Flushes).toBeGreaterThanOrEqual(2);
      }
      const ms = (p: number) => percentile(delays, p).toFixed(2);
      console.log(
        `[near cache] ${name}: acknowledged write → new value served, over ${delays.length} (reader, version) pairs: p50 ${ms(50)} ms, p99 ${ms(99)} ms, max ${ms(100)} ms; reads per reader ${reports.map((r) => r.reads).join(', ')}, L1 hits ${reports.map((r) => r.l1Hits).join(', ')}`,
      );
    }, 120_000);
  }
});
