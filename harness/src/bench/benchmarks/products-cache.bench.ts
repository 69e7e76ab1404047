/**
 * The cache layer against its anchors on the same server in the same run:
 * - hit path: `cache.getOrCompute` on a cached product against a raw ioredis `GET` of the same product JSON
 *   (goal: at least 0.9 of the raw throughput), one request at a time (bound by the round trip, like an app) and 50
 *   in flight on one connection (bound by client CPU on loopback, where parsing the JSON alone costs 10 to 15%);
 * - an expiry under load: 4 forked app processes with 50 request loops each (200 concurrent clients) read one hot
 *   key from 500 ms before its expiry to 500 ms after, once through the naive cache (GET, on a miss compute and
 *   SET) and once through this cache (XFetch + coalescing). Origin calls for that expiry (goal: at most one per
 *   process, where the naive cache makes about one per client) and the p99 latency across the expiry.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { createCache } from '@redis-agent-kit/patterns/cache';
import { targetConnection } from '../../targets/describe.ts';
import type { TargetInfo } from '../../targets/types.ts';
import {
  alternatingRounds,
  type BenchRow,
  compare,
  defineBenchmark,
  measured,
  percentile,
  throughput,
} from '../benchmark.ts';
import { naiveGet, type StampedeSetup, type StampedeWorkerReport } from './products-cache.stampede.ts';

const PRODUCT = {
  id: '1',
  name: 'Stainless steel kettle',
  category: 'kitchen',
  price: 39.9,
  currency: 'EUR',
  stock: 24,
};
const PROCESSES = 4;
const CLIENTS_PER_PROCESS = 50;
// The TTL is longer than the window so that XFetch's early refresh (which moves the next expiry forward) does not
// start a second refresh cycle inside the window: every origin call counted belongs to this one expiry.
const TTL_MS = 3_000;
const ORIGIN_MS = 50;
const HALF_WINDOW_MS = 500;

/** Hit throughput of the cache against a raw GET of the same product JSON, `inFlight` requests at a time. */
async function hitPath(client: RedisClient, scale: number, inFlight: number): Promise<BenchRow[]> {
  const namespace = `rak:bench:products-cache:${randomBytes(4).toString('hex')}`;
  const cache = await createCache(client, { namespace });
  const rawKey = `${namespace}:raw:product:1`;
  await cache.getOrCompute('product:1', async () => PRODUCT);
  await client.set(rawKey, JSON.stringify(PRODUCT), 'EX', 300);
  const load = async () => PRODUCT;
  const variants = {
    raw: () => client.get(rawKey),
    parsed: async () => JSON.parse((await client.get(rawKey)) as string),
    cached: () => cache.getOrCompute('product:1', load),
  };
  const ms = Math.max(100, 330 * scale);
  // Short alternating rounds: on a shared machine no variant always gets the quiet moments.
  const rounds = await alternatingRounds({
    raw: () => throughput(variants.raw, inFlight, ms),
    parsed: () => throughput(variants.parsed, inFlight, ms),
    cached: () => throughput(variants.cached, inFlight, ms),
  });
  await cache.delete('product:1', 'raw:product:1');
  const metric = `hit ops/s, ${inFlight} in flight`;
  const anchor = measured('raw ioredis GET (anchor)', metric, 'ops/s', rounds.raw);
  // A cached object has to be parsed by any cache; this second anchor isolates what the cache adds on top.
  const parsed = measured('raw GET + JSON.parse', metric, 'ops/s', rounds.parsed);
  const cached = measured('cache.getOrCompute hit', metric, 'ops/s', rounds.cached);
  return [
    anchor,
    compare(parsed, anchor),
    compare(cached, anchor, { min: 0.9 }),
    compare({ ...cached, subject: 'cache.getOrCompute hit (vs GET + parse)' }, parsed, { min: 0.9 }),
  ];
}

/** One expiry of a hot key under 200 concurrent clients in 4 processes; origin calls and every latency. */
async function expiryUnderLoad(client: RedisClient, target: TargetInfo, mode: StampedeSetup['mode']) {
  const setup: StampedeSetup = {
    mode,
    connection: targetConnection(target),
    namespace: `rak:bench:products-cache:${randomBytes(4).toString('hex')}`,
    key: 'product:1',
    value: PRODUCT,
    ttlMs: TTL_MS,
    originMs: ORIGIN_MS,
    clients: CLIENTS_PER_PROCESS,
    thinkMs: 5,
  };
  const workers = Array.from({ length: PROCESSES }, () =>
    fork(join(import.meta.dirname, 'products-cache.worker.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    const next = <T>(worker: (typeof workers)[number]) =>
      new Promise<T>((resolve, reject) => {
        worker.once('message', (message) => resolve(message as T));
        worker.once('exit', (code) => reject(new Error(`benchmark process exited with ${code}`)));
      });
    const ready = workers.map((w) => next<{ ready: true }>(w));
    for (const worker of workers) worker.send(setup);
    await Promise.all(ready);
    // Fill the key as the first request would, so the XFetch entry carries a real recompute time.
    const fullKey = `${setup.namespace}:${setup.key}`;
    const slowOrigin = async () => {
      await sleep(ORIGIN_MS);
      return PRODUCT;
    };
    if (mode === 'naive') await naiveGet(client, fullKey, slowOrigin, TTL_MS);
    else {
      const cache = await createCache(client, { namespace: setup.namespace, ttlMs: TTL_MS });
      await cache.getOrCompute(setup.key, slowOrigin);
    }
    const expiresAt = Date.now() + TTL_MS;
    const reports = workers.map((w) => next<StampedeWorkerReport>(w));
    for (const worker of workers) {
      worker.send({ startAt: expiresAt - HALF_WINDOW_MS, endAt: expiresAt + HALF_WINDOW_MS });
    }
    const done = await Promise.all(reports);
    await client.unlink(fullKey);
    const latencies = done.flatMap((r) => r.latencies).sort((a, b) => a - b);
    return { originCalls: done.reduce((sum, r) => sum + r.originCalls, 0), latencies };
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
  }
}

export default defineBenchmark({
  id: 'products-cache',
  title: 'Cache layer: hit path vs raw GET; an expiry under 200 clients in 4 processes, naive cache vs XFetch',
  async run({ target, scale, log }) {
    const client = await connect(targetConnection(target));
    try {
      const rows = [...(await hitPath(client, scale, 1)), ...(await hitPath(client, scale, 50))];
      log('hit path measured; now one expiry under load, naive cache then XFetch');
      const naive = await expiryUnderLoad(client, target, 'naive');
      const xfetch = await expiryUnderLoad(client, target, 'xfetch');
      const calls = (subject: string, value: number) => ({
        subject,
        metric: 'origin calls at one expiry',
        value,
        unit: 'calls',
      });
      // One expiry each: absolute figures with an absolute goal, not ratios (a ratio would need rounds of expiries).
      rows.push(calls('naive cache', naive.originCalls), {
        ...calls('XFetch cache', xfetch.originCalls),
        goal: `<= 1 per process (${PROCESSES})`,
        met: xfetch.originCalls <= PROCESSES,
      });
      const p99 = (subject: string, latencies: number[]) => ({
        subject,
        metric: 'p99 latency across the expiry',
        value: percentile(latencies, 99),
        unit: 'ms',
      });
      rows.push(p99('naive cache', naive.latencies), p99('XFetch cache', xfetch.latencies));
      return {
        rows,
        notes: [
          `${PROCESSES} processes x ${CLIENTS_PER_PROCESS} request loops (5 ms think time), TTL ${TTL_MS} ms, origin ${ORIGIN_MS} ms, window ±${HALF_WINDOW_MS} ms around the expiry`,
          `requests in the window: naive ${naive.latencies.length}, XFetch ${xfetch.latencies.length}; max latency: naive ${percentile(naive.latencies, 100).toFixed(1)} ms, XFetch ${percentile(xfetch.latencies, 100).toFixed(1)} ms`,
        ],
      };
    } finally {
      await closeClient(client);
    }
  },
});
