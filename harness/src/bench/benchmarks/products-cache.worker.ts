/**
 * One "app process" of the products-cache stampede benchmark (forked by products-cache.bench.ts): its own
 * connection and cache, `clients` concurrent request loops on one hot key between `startAt` and `endAt`, then it
 * reports its origin calls and every request's latency. `mode` picks this package's cache or the naive one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { createCache } from '@redis-agent-kit/patterns/cache';
import { naiveGet, type StampedeSetup, type StampedeWorkerReport } from './products-cache.stampede.ts';

const setup = await new Promise<StampedeSetup>((resolve) => process.once('message', resolve));
const client = await connect(setup.connection);
let originCalls = 0;
const origin = async () => {
  originCalls++;
  await sleep(setup.originMs);
  return setup.value;
};
const cache =
  setup.mode === 'xfetch' ? await createCache(client, { namespace: setup.namespace, ttlMs: setup.ttlMs }) : undefined;
const read = cache
  ? () => cache.getOrCompute(setup.key, origin)
  : () => naiveGet(client, `${setup.namespace}:${setup.key}`, origin, setup.ttlMs);
process.send?.({ ready: true });
const { startAt, endAt } = await new Promise<{ startAt: number; endAt: number }>((resolve) =>
  process.once('message', resolve),
);
await sleep(Math.max(0, startAt - Date.now()));
const latencies: number[] = [];
await Promise.all(
  Array.from({ length: setup.clients }, async () => {
    while (Date.now() < endAt) {
      const started = performance.now();
      await read();
      latencies.push(performance.now() - started);
      await sleep(setup.thinkMs);
    }
  }),
);
await cache?.idle();
await closeClient(client);
const report: StampedeWorkerReport = { originCalls, latencies };
process.send?.(report, () => process.exit(0));
