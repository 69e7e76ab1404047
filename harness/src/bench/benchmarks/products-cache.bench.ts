/**
 * The cache layer against its anchors on the same server in the same run, in alternating rounds (`alternatingRounds`:
 * one warm-up round, then 6 measured rounds of every subject in turn; ratios are the median of the per-round ratios,
 * with their spread):
 * - L2 hit path: `cache.getOrCompute` on a cached product against a raw ioredis `GET` of the same product JSON
 *   (goal: at least 0.9 of the raw throughput), one request at a time (bound by the round trip, like an app) and 50
 *   in flight on one connection (bound by client CPU on loopback, where parsing the JSON alone costs 5 to 10% and
 *   each socket write about three quarters: the cache writes one turn's reads together, so the same raw GET with
 *   ioredis's enableAutoPipelining is reported beside it);
 * - L1 hit path (the `l1` near cache, each hit decoding its own copy, and with `sharedValues` one frozen value)
 *   against the same raw `GET` (goal: at least 10 times), bentocache 1.6 with its memory + Redis + bus setup (goal: at
 *   least as fast), and node-redis 5's RESP3 `clientSideCache` (reported);
 * - invalidation delay: from a write's acknowledgement by Redis until another client's near cache serves the new
 *   value (this cache: CLIENT TRACKING; bentocache: its Redis bus; node-redis: RESP3 tracking), samples alternating;
 * - an expiry under load: 4 forked app processes with 50 request loops each (200 concurrent clients) read one hot
 *   key from 500 ms before its expiry to 500 ms after, once through the naive cache (GET, on a miss compute and
 *   SET) and once through this cache (XFetch + coalescing). Origin calls for that expiry (goal: at most one per
 *   process, where the naive cache makes about one per client) and the p99 latency across the expiry.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setImmediate as yieldToEvents, setTimeout as sleep } from 'node:timers/promises';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { type Cache, createCache } from '@redis-agent-kit/patterns/cache';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Cluster } from 'ioredis';
import { createClient as createNodeRedisClient } from 'redis';
import { targetConnection } from '../../targets/describe.ts';
import type { TargetInfo } from '../../targets/types.ts';
import { alternatingRounds, type BenchRow, compare, defineBenchmark, measured, percentile } from '../benchmark.ts';
import { throughput } from './products-cache.throughput.ts';
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
const DELAY_SAMPLES = 150;

/**
 * Throughput of each subject in alternating rounds, `inFlight` at a time; rows: the first subject as the anchor, the
 * others compared with it round by round (with their goals).
 */
async function roundRows(
  subjects: Record<string, { subject: string; op: () => Promise<unknown>; goal?: { min: number } }>,
  metric: string,
  scale: number,
  inFlight: number,
): Promise<Record<string, BenchRow> & { all: BenchRow[] }> {
  const roundMs = Math.max(150, 500 * scale);
  const rounds = await alternatingRounds(
    Object.fromEntries(
      Object.entries(subjects).map(([name, { op }]) => [name, () => throughput(op, inFlight, roundMs)]),
    ),
  );
  const [anchorName, ...others] = Object.keys(subjects) as [string, ...string[]];
  const row = (name: string) => measured(subjects[name]?.subject as string, metric, 'ops/s', rounds[name] as number[]);
  const anchor = row(anchorName);
  const byName: Record<string, BenchRow> = { [anchorName]: anchor };
  for (const name of others) byName[name] = compare(row(name), anchor, subjects[name]?.goal);
  return Object.assign(byName, { all: Object.values(byName) });
}

/** L2 hit throughput of the cache against a raw GET of the same product JSON, `inFlight` requests at a time. */
async function hitPath(client: RedisClient, scale: number, inFlight: number): Promise<BenchRow[]> {
  const namespace = `rak:bench:products-cache:${randomBytes(4).toString('hex')}`;
  const cache = await createCache(client, { namespace });
  const rawKey = `${namespace}:raw:product:1`;
  await cache.getOrCompute('product:1', async () => PRODUCT);
  await client.set(rawKey, JSON.stringify(PRODUCT), 'EX', 300);
  const load = async () => PRODUCT;
  // The cache writes the reads of one event-loop turn in one system call; ioredis can do as much for raw commands
  // (enableAutoPipelining, off by default), so that raw GET is reported beside it.
  const pipelined =
    client instanceof Cluster
      ? client.duplicate(undefined, { enableAutoPipelining: true })
      : client.duplicate({ enableAutoPipelining: true });
  pipelined.on('error', () => {});
  const rows = await roundRows(
    {
      raw: { subject: 'raw ioredis GET (anchor)', op: () => client.get(rawKey) },
      // A cached object has to be parsed by any cache; this second anchor isolates what the cache adds on top.
      parsed: { subject: 'raw GET + JSON.parse', op: async () => JSON.parse((await client.get(rawKey)) as string) },
      autoPipelined: { subject: 'raw GET, ioredis enableAutoPipelining', op: () => pipelined.get(rawKey) },
      cached: {
        subject: 'cache.getOrCompute hit (L2)',
        op: () => cache.getOrCompute('product:1', load),
        goal: { min: 0.9 },
      },
    },
    `L2 hit ops/s, ${inFlight} in flight`,
    scale,
    inFlight,
  );
  pipelined.disconnect();
  await cache.delete('product:1', 'raw:product:1');
  // The cache row without its goal, for the comparisons that set their own (or none).
  const { goal: _goal, met: _met, ...cached } = rows.cached as BenchRow;
  return [
    ...rows.all,
    compare({ ...cached, subject: 'cache.getOrCompute hit (L2, vs GET + parse)' }, rows.parsed as BenchRow, {
      min: 0.9,
    }),
    compare(
      { ...cached, subject: 'cache.getOrCompute hit (L2, vs auto-pipelined GET)' },
      rows.autoPipelined as BenchRow,
    ),
  ];
}

/** The near caches being compared, each with a cached product, and how to close them. */
async function nearCaches(target: TargetInfo, client: RedisClient) {
  const namespace = `rak:bench:products-cache-l1:${randomBytes(4).toString('hex')}`;
  const ours = await createCache(client, { namespace, l1: true });
  const oursShared = await createCache(client, { namespace, l1: { sharedValues: true } });
  const url = new URL(target.url);
  const redisOptions = { host: url.hostname, port: Number(url.port) };
  const bento = (prefix: string) =>
    new BentoCache({
      default: 'multi',
      prefix,
      stores: {
        multi: bentostore()
          .useL1Layer(memoryDriver({ maxItems: 10_000 }))
          .useL2Layer(redisDriver({ connection: redisOptions }))
          .useBus(redisBusDriver({ connection: redisOptions })),
      },
    });
  const bentoPrefix = `${namespace}:bento`;
  const bentoReader = bento(bentoPrefix);
  const bentoWriter = bento(bentoPrefix);
  const nodeRedis = createNodeRedisClient({ url: target.url, RESP: 3, clientSideCache: { maxEntries: 10_000 } });
  nodeRedis.on('error', () => {});
  await nodeRedis.connect();
  const nodeRedisKey = `${namespace}:node-redis:product:1`;
  return {
    namespace,
    ours,
    oursShared,
    bentoReader,
    bentoWriter,
    nodeRedis,
    nodeRedisKey,
    async close() {
      await ours.delete('product:1');
      await ours.close();
      await oursShared.close();
      await bentoReader.delete({ key: 'product:1' });
      await Promise.all([bentoReader.disconnect(), bentoWriter.disconnect()]);
      await nodeRedis.del(nodeRedisKey);
      nodeRedis.destroy();
    },
  };
}

type NearCaches = Awaited<ReturnType<typeof nearCaches>>;

/** L1 hit throughput: this cache's near cache, bentocache's memory tier, node-redis' client-side cache, raw GET. */
async function l1HitPath(client: RedisClient, near: NearCaches, scale: number, inFlight: number): Promise<BenchRow[]> {
  const rawKey = `${near.namespace}:raw:product:1`;
  await client.set(rawKey, JSON.stringify(PRODUCT), 'EX', 300);
  const load = async () => PRODUCT;
  await near.ours.getOrCompute('product:1', load);
  await near.ours.idle();
  // Each near cache keeps the product after its first read from Redis, once its own write's invalidation is in.
  await sleep(20);
  await near.ours.getOrCompute('product:1', load);
  await near.oursShared.getOrCompute('product:1', load);
  await near.bentoReader.getOrSet({ key: 'product:1', factory: load, ttl: '5m' });
  await near.nodeRedis.set(near.nodeRedisKey, JSON.stringify(PRODUCT), { EX: 300 });
  const rows = await roundRows(
    {
      raw: { subject: 'raw ioredis GET (anchor)', op: () => client.get(rawKey) },
      ours: {
        subject: 'cache.getOrCompute hit (l1)',
        op: () => near.ours.getOrCompute('product:1', load),
        goal: { min: 10 },
      },
      oursShared: {
        subject: 'cache.getOrCompute hit (l1, sharedValues)',
        op: () => near.oursShared.getOrCompute('product:1', load),
        goal: { min: 10 },
      },
      bento: {
        subject: 'bentocache getOrSet hit (memory + Redis + bus)',
        op: () => near.bentoReader.getOrSet({ key: 'product:1', factory: load, ttl: '5m' }),
      },
      nodeRedis: {
        subject: 'node-redis 5 clientSideCache GET + JSON.parse',
        op: async () => JSON.parse((await near.nodeRedis.get(near.nodeRedisKey)) as string),
      },
    },
    `L1 hit ops/s, ${inFlight} in flight`,
    scale,
    inFlight,
  );
  await client.unlink(rawKey);
  // Against bentocache, round by round as well.
  const bento = rows.bento as BenchRow;
  const versus = (row: BenchRow) => compare({ ...row, subject: `${row.subject} vs bentocache` }, bento, { min: 1 });
  return [...rows.all, versus(rows.ours as BenchRow), versus(rows.oursShared as BenchRow)];
}

/** Waits (polling on the event loop) until `read` gives `version`; the time since `since`, in ms. */
async function servedAfter(read: () => Promise<number | undefined>, version: number, since: number): Promise<number> {
  for (let polls = 0; polls < 1_000_000; polls++) {
    if ((await read()) === version) return performance.now() - since;
    await yieldToEvents();
  }
  throw new Error(`version ${version} was never served`);
}

/**
 * Invalidation delay, per system: a writer client writes version `i`; from its acknowledgement until the reader's
 * near cache serves `i`. Before each sample the reader holds the previous version in its near cache.
 */
async function invalidationDelays(target: TargetInfo, near: NearCaches) {
  const writerClient = await connect(targetConnection(target));
  const writer = await createCache(writerClient, { namespace: near.namespace });
  const nodeRedisWriter = createNodeRedisClient({ url: target.url });
  nodeRedisWriter.on('error', () => {});
  await nodeRedisWriter.connect();
  const versionOf = (value: { version: number } | undefined | null) => value?.version;
  const ours = (cache: Cache) => async () =>
    versionOf((await cache.getOrCompute<{ version: number }>('product:v', async () => undefined)).value);
  const bento = async () => versionOf(await near.bentoReader.get<{ version: number }>({ key: 'product:v' }));
  const nodeRedisKey = `${near.namespace}:node-redis:product:v`;
  const nodeRedis = async () => {
    const raw = await near.nodeRedis.get(nodeRedisKey);
    return raw === null ? undefined : Number(raw);
  };
  const systems = {
    ours: {
      read: ours(near.ours),
      write: (version: number) => writer.set('product:v', { version }),
      held: () => near.ours.stats().l1Hits,
    },
    bento: {
      read: bento,
      write: (version: number) => near.bentoWriter.set({ key: 'product:v', value: { version }, ttl: '5m' }),
      held: undefined,
    },
    nodeRedis: {
      read: nodeRedis,
      write: (version: number) => nodeRedisWriter.set(nodeRedisKey, String(version), { EX: 300 }).then(() => {}),
      held: undefined,
    },
  };
  const delays: Record<keyof typeof systems, number[]> = { ours: [], bento: [], nodeRedis: [] };
  try {
    for (let version = 1; version <= DELAY_SAMPLES + 1; version++) {
      for (const [name, system] of Object.entries(systems) as [keyof typeof systems, (typeof systems)['ours']][]) {
        await system.write(version);
        const since = performance.now();
        const delay = await servedAfter(system.read, version, since);
        if (version > 1) delays[name].push(delay); // version 1 only fills the near caches
        // Read it until the near cache holds it (ours counts it; the others hold it after two reads).
        await system.read();
        await sleep(1);
        await system.read();
      }
    }
  } finally {
    await writer.delete('product:v');
    await nodeRedisWriter.del(nodeRedisKey);
    nodeRedisWriter.destroy();
    await closeClient(writerClient);
  }
  return delays;
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
  title:
    'Cache layer: L2 and L1 hit paths vs raw GET, bentocache and node-redis; invalidation delay; an expiry under 200 clients',
  async run({ target, scale, log }) {
    const client = await connect(targetConnection(target));
    const notes: string[] = [];
    const rows: BenchRow[] = [];
    try {
      rows.push(...(await hitPath(client, scale, 1)), ...(await hitPath(client, scale, 50)));
      log('L2 hit path measured; now the near caches');
      const near = await nearCaches(target, client);
      try {
        rows.push(...(await l1HitPath(client, near, scale, 1)), ...(await l1HitPath(client, near, scale, 50)));
        log('L1 hit path measured; now invalidation delays');
        const delays = await invalidationDelays(target, near);
        const metric = (p: number) => `invalidation delay p${p} (write acknowledged → new value served)`;
        for (const p of [50, 99]) {
          const value = (name: keyof typeof delays) =>
            percentile(
              [...delays[name]].sort((a, b) => a - b),
              p,
            );
          const bentoRow = {
            subject: 'bentocache (Redis bus) (anchor)',
            metric: metric(p),
            value: value('bento'),
            unit: 'ms',
          };
          rows.push(
            bentoRow,
            compare(
              { subject: 'cache l1 (CLIENT TRACKING)', metric: metric(p), value: value('ours'), unit: 'ms' },
              bentoRow,
              {
                max: 1,
              },
            ),
            compare(
              {
                subject: 'node-redis 5 clientSideCache (RESP3)',
                metric: metric(p),
                value: value('nodeRedis'),
                unit: 'ms',
              },
              bentoRow,
            ),
          );
        }
        notes.push(`invalidation delay: ${DELAY_SAMPLES} samples per system, alternating systems per sample`);
      } finally {
        await near.close();
      }
      log('near caches measured; now one expiry under load, naive cache then XFetch');
      const naive = await expiryUnderLoad(client, target, 'naive');
      const xfetch = await expiryUnderLoad(client, target, 'xfetch');
      const calls = (subject: string, value: number) => ({
        subject,
        metric: 'origin calls at one expiry',
        value,
        unit: 'calls',
      });
      const naiveCalls = calls('naive cache (anchor)', naive.originCalls);
      rows.push(naiveCalls, {
        ...compare(calls('XFetch cache', xfetch.originCalls), naiveCalls),
        goal: `<= 1 per process (${PROCESSES})`,
        met: xfetch.originCalls <= PROCESSES,
      });
      const p99 = (subject: string, latencies: number[]) => ({
        subject,
        metric: 'p99 latency across the expiry',
        value: percentile(latencies, 99),
        unit: 'ms',
      });
      const naiveP99 = p99('naive cache (anchor)', naive.latencies);
      rows.push(naiveP99, compare(p99('XFetch cache', xfetch.latencies), naiveP99));
      notes.push(
        `${PROCESSES} processes x ${CLIENTS_PER_PROCESS} request loops (5 ms think time), TTL ${TTL_MS} ms, origin ${ORIGIN_MS} ms, window ±${HALF_WINDOW_MS} ms around the expiry`,
        `requests in the window: naive ${naive.latencies.length}, XFetch ${xfetch.latencies.length}; max latency: naive ${percentile(naive.latencies, 100).toFixed(1)} ms, XFetch ${percentile(xfetch.latencies, 100).toFixed(1)} ms`,
      );
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
