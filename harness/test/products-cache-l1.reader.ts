/**
 * One reader process of harness/test/products-cache-l1.test.ts: a cache with the near cache on, reading one key in
 * a few concurrent loops as fast as it can, and checking what it serves.
 *
 * - Monotonic: a read that starts after another read of this process returned version k must return k or later.
 * - Told that version k was acknowledged (at an epoch time in ms), it reports when it first served k or later:
 *   the time from the write's acknowledgement until this process serves the new value.
 *
 * Messages: in `{ setup }`, `{ acked, at }`, `{ stop: true }`; out `{ ready }`, `{ seen, delayMs }`, `{ report }`.
 */
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { type ConnectionOptions, closeClient, connect } from '@redis-agent-kit/patterns';
import { createCache } from '@redis-agent-kit/patterns/cache';

export interface ReaderSetup {
  connection: ConnectionOptions;
  namespace: string;
  key: string;
  loops: number;
}

export interface ReaderReport {
  reads: number;
  l1Hits: number;
  l1Flushes: number;
  redisErrors: number;
  violations: string[];
}

type Message = { setup: ReaderSetup } | { acked: number; at: number } | { stop: true };

const epochMs = () => performance.timeOrigin + performance.now();

const setup = await new Promise<ReaderSetup>((resolve) =>
  process.once('message', (message: Message) => resolve((message as { setup: ReaderSetup }).setup)),
);
const client = await connect({ ...setup.connection, offlineQueue: false, commandTimeoutMs: 1000 });
const cache = await createCache(client, {
  namespace: setup.namespace,
  codec: 'string envelope',
  timeoutMs: 500,
  l1: true,
});

let floor = 0;
let reads = 0;
const violations: string[] = [];
const waiting = new Map<number, number>(); // acknowledged version → acknowledged at (epoch ms)
let stopping = false;

process.on('message', (message: Message) => {
  if ('acked' in message) {
    if (floor >= message.acked) process.send?.({ seen: message.acked, delayMs: 0 });
    else waiting.set(message.acked, message.at);
  } else if ('stop' in message) stopping = true;
});

async function readLoop(): Promise<void> {
  while (!stopping) {
    const floorAtStart = floor;
    const { value } = await cache
      .getOrCompute<{ version: number }>(setup.key, async () => undefined)
      .catch(() => ({ value: undefined }));
    reads++;
    const version = value?.version;
    if (version !== undefined) {
      if (version < floorAtStart && violations.length < 20) {
        violations.push(`served version ${version} after version ${floorAtStart} had been served`);
      }
      if (version > floor) floor = version;
      for (const [acked, at] of waiting) {
        if (floor < acked) continue;
        waiting.delete(acked);
        process.send?.({ seen: acked, delayMs: epochMs() - at });
      }
    }
    await yieldToEvents();
  }
}

process.send?.({ ready: true });
await Promise.all(Array.from({ length: setup.loops }, () => readLoop()));
const stats = cache.stats();
await cache.close();
await closeClient(client);
const report: ReaderReport = {
  reads,
  l1Hits: stats.l1Hits,
  l1Flushes: stats.l1Flushes,
  redisErrors: stats.redisErrors,
  violations,
};
process.send?.({ report }, () => process.exit(0));
