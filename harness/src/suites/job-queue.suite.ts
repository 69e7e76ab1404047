/**
 * The job queue on every target: each job runs and is acknowledged, idempotent adds, retries with backoff and
 * dead letters, reclaim of a dead consumer's jobs, running jobs kept fresh past visibilityMs, delayed jobs on the
 * server's clock, trimming that never drops an unacknowledged entry, graceful shutdown, stats, per-partition order
 * and partitions spread over cluster slots. A worker killed with SIGKILL is the fault scenario
 * harness/src/faults/job-queue-worker-kill.fault.ts. Valkey 8.1 answers every check as Redis 8 does (it has XAUTOCLAIM
 * with its deleted-ids reply, XINFO GROUPS lag, XTRIM MINID ~ LIMIT); the cluster differs only in that partitions
 * land on different masters, which the checks note.
 */
import assert from 'node:assert/strict';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { keySlot } from '@redis-agent-kit/patterns/cluster';
import {
  createQueue,
  type Job,
  type Queue,
  type QueueOptions,
  type WorkerOptions,
} from '@redis-agent-kit/patterns/queue';
import { Cluster } from 'ioredis';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';
import { inProcessSession } from './mcp-server.suite.ts';

/** Fast upkeep so checks take seconds; visibilityMs stays 4 × maintenanceMs as the worker requires. */
const FAST: WorkerOptions = {
  maintenanceMs: 100,
  visibilityMs: 2000,
  blockMs: 200,
  backoff: { type: 'fixed', delayMs: 20 },
};

/** Polls `condition` until it holds; throws naming `what` after `boundMs` (a hang, not a timing assertion). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  boundMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + boundMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what}: not seen within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function queueFor<T = unknown>(ctx: SuiteContext, options: Partial<QueueOptions> = {}): Queue<T> {
  return createQueue<T>(ctx.client, { name: 'jobs', prefix: ctx.prefix, ...options });
}

/** Every key of the queue's partitions, for cleanup (one UNLINK per partition: one slot each). */
async function dropQueue(client: RedisClient, queue: Pick<Queue, 'partitions'>): Promise<void> {
  for (const keys of queue.partitions)
    await client.unlink(keys.stream, keys.high, keys.delayed, keys.delayedJobs, keys.dead);
}

/** The servers' time in ms (the queue schedules by it, never by this process's clock). */
async function serverTime(client: RedisClient): Promise<number> {
  const node = client instanceof Cluster ? (client.nodes('master')[0] as RedisClient) : client;
  const [seconds, micros] = (await node.time()) as unknown as [string, string];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export default defineSuite({
  id: 'job-queue',
  title: 'Durable job queue on Redis Streams: consumer groups, retries, reclaim, dead letters, partitions',
  checks: [
    {
      name: '500 jobs over 4 partitions run exactly once each at concurrency 20, then nothing is pending or waiting',
      async run(ctx) {
        const queue = queueFor<{ n: number; text: string }>(ctx, { partitions: 4 });
        const ran = new Map<number, number>();
        const worker = await queue.process(
          (job) => {
            ran.set(job.payload.n, (ran.get(job.payload.n) ?? 0) + 1);
            assert.equal(job.deliveries, 1);
          },
          { ...FAST, concurrency: 20 },
        );
        try {
          await Promise.all(Array.from({ length: 500 }, (_, n) => queue.add({ n, text: 'héllo ✓ \u0000' })));
          await waitFor(() => worker.stats().completed === 500, 30_000, '500 completions');
          const stats = await queue.stats();
          assert.equal(stats.totals.pending, 0);
          assert.equal(stats.totals.waiting, 0);
          assert.deepEqual(
            [...ran.values()].filter((times) => times !== 1),
            [],
            'a job ran more than once',
          );
          assert.equal(ran.size, 500);
          ctx.note(`${stats.partitions.length} partitions, ${worker.stats().completed} completed`);
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'payloads round-trip as bytes or JSON; one over maxPayloadBytes is refused before Redis',
      async run(ctx) {
        const queue = queueFor<unknown>(ctx, { maxPayloadBytes: 1024 });
        const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0x80]);
        const json = { emoji: '🙂', nested: [1, null, { a: 'x' }] };
        const seen: unknown[] = [];
        const worker = await queue.process((job) => void seen.push(job.payload), FAST);
        try {
          await queue.add(bytes);
          await queue.add(json);
          await assert.rejects(queue.add('x'.repeat(2000)), /exceeds the 1024-byte limit/);
          await assert.rejects(queue.add(undefined), /must be JSON/);
          await waitFor(() => seen.length === 2, 10_000, 'two jobs');
          const got = seen.find(Buffer.isBuffer);
          assert.ok(got && bytes.equals(got), 'the raw bytes came back unchanged');
          assert.deepEqual(
            seen.find((p) => !Buffer.isBuffer(p)),
            json,
          );
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'the same id added twice, or 20 times at once, is one job (idempotency window)',
      async run(ctx) {
        const queue = queueFor<string>(ctx, { partitions: 3 });
        const first = await queue.add('a', { id: 'order-42' });
        const again = await queue.add('b', { id: 'order-42' });
        assert.equal(first.added, true);
        assert.equal(again.added, false);
        assert.equal(again.partition, first.partition, 'an id always lands on the same partition');
        const racing = await Promise.all(Array.from({ length: 20 }, () => queue.add('c', { id: 'order-43' })));
        assert.equal(racing.filter((r) => r.added).length, 1);
        const delayedTwice = [
          await queue.add('d', { id: 'order-44', delayMs: 50 }),
          await queue.add('d', { id: 'order-44', delayMs: 50 }),
        ];
        assert.deepEqual(
          delayedTwice.map((r) => r.added),
          [true, false],
        );
        const ran: string[] = [];
        const worker = await queue.process((job) => void ran.push(`${job.id}=${job.payload}`), FAST);
        try {
          await waitFor(() => ran.length >= 3, 10_000, 'three jobs');
          await new Promise((r) => setTimeout(r, 300));
          assert.deepEqual(ran.sort(), ['order-42=a', 'order-43=c', 'order-44=d']);
          const pttl = await ctx.client.pttl(queue.partitions[first.partition]?.id('order-42') as string);
          assert.ok(pttl > 0, 'the id key expires with the window');
        } finally {
          await worker.close();
          for (const id of ['order-42', 'order-43', 'order-44']) {
            for (const keys of queue.partitions) await ctx.client.unlink(keys.id(id));
          }
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'a failing job is retried after its backoff and dead-lettered after maxDeliveries with its last error; retry brings it back',
      async run(ctx) {
        const queue = queueFor<{ task: string }>(ctx);
        const deliveries: number[] = [];
        let healed = false;
        const worker = await queue.process(
          (job) => {
            deliveries.push(job.deliveries);
            if (!healed) throw new Error(`boom on delivery ${job.deliveries}`);
          },
          { ...FAST, maxDeliveries: 3 },
        );
        try {
          const { id } = await queue.add({ task: 'resize' });
          await waitFor(async () => (await queue.stats()).totals.deadLetters === 1, 10_000, 'a dead letter');
          assert.deepEqual(deliveries, [1, 2, 3]);
          const [letter] = await queue.deadLetters();
          assert.ok(letter);
          assert.equal(letter.id, id);
          assert.deepEqual(letter.payload, { task: 'resize' });
          assert.equal(letter.deliveries, 3);
          assert.match(letter.error, /boom on delivery 3/);
          assert.equal(worker.stats().retried, 2);
          healed = true;
          assert.equal(await queue.retryDeadLetter(letter.deadLetterId), true);
          assert.equal(await queue.retryDeadLetter(letter.deadLetterId), false, 'a dead letter is retried once');
          await waitFor(() => worker.stats().completed === 1, 10_000, 'the retried job completing');
          assert.deepEqual(deliveries, [1, 2, 3, 1], 'a retried dead letter starts its deliveries again');
          assert.equal((await queue.stats()).totals.deadLetters, 0);
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'a consumer that stopped responding: its jobs are reclaimed after visibilityMs, or dead-lettered past maxDeliveries',
      async run(ctx) {
        const queue = queueFor<{ n: number }>(ctx);
        const keys = queue.partitions[0];
        assert.ok(keys);
        // A consumer that reads two jobs and dies: XREADGROUP, as a worker does, and never an acknowledgement.
        await ctx.client.xgroup('CREATE', keys.stream, 'workers', '0', 'MKSTREAM');
        await queue.add({ n: 1 });
        await queue.add({ n: 2 });
        await ctx.client.xreadgroup('GROUP', 'workers', 'dead-worker', 'COUNT', 2, 'STREAMS', keys.stream, '>');
        const pending = (await ctx.client.xpending(keys.stream, 'workers', '-', '+', 10)) as [
          string,
          string,
          number,
          number,
        ][];
        const [id1, id2] = pending.map(([id]) => id);
        assert.ok(id1 && id2);
        // Job 2 had a second dead worker (XCLAIM counts a delivery): a third delivery would exceed maxDeliveries 2.
        await ctx.client.call('XCLAIM', keys.stream, 'workers', 'dead-worker-2', 0, id2);
        const ran: Job<{ n: number }>[] = [];
        const worker = await queue.process((job) => void ran.push(job), {
          ...FAST,
          maxDeliveries: 2,
          visibilityMs: 1000,
          maintenanceMs: 100,
        });
        try {
          await waitFor(() => ran.length === 1, 10_000, 'the reclaimed job');
          await waitFor(async () => (await queue.stats()).totals.deadLetters === 1, 10_000, 'the dead letter');
          assert.equal(ran[0]?.payload.n, 1);
          assert.equal(ran[0]?.deliveries, 2, 'the dead consumer’s delivery counts');
          assert.equal(ran[0]?.entryId, id1);
          const [letter] = await queue.deadLetters();
          assert.deepEqual(letter?.payload, { n: 2 });
          assert.match(letter?.error ?? '', /stopped responding/);
          assert.equal(worker.stats().reclaimed, 1);
          await waitFor(() => worker.stats().completed === 1, 10_000, 'its acknowledgement');
          assert.equal((await queue.stats()).totals.pending, 0);
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'a job running longer than visibilityMs is kept fresh by its worker and not run twice',
      async run(ctx) {
        const queue = queueFor<string>(ctx);
        let starts = 0;
        const options: WorkerOptions = { ...FAST, visibilityMs: 1600, maintenanceMs: 100 };
        const slow = async () => {
          starts++;
          await new Promise((r) => setTimeout(r, 2800));
        };
        const a = await queue.process(slow, options);
        const b = await queue.process(slow, options);
        try {
          await queue.add('long');
          await waitFor(() => a.stats().completed + b.stats().completed === 1, 15_000, 'the slow job');
          assert.equal(starts, 1);
          assert.equal(a.stats().reclaimed + b.stats().reclaimed, 0);
        } finally {
          await Promise.all([a.close(), b.close()]);
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'a high-priority job starts before the normal ones not yet read; its retries and its revival stay high',
      async run(ctx) {
        const queue = queueFor<string>(ctx);
        for (let n = 0; n < 30; n++) await queue.add(`normal-${n}`);
        await queue.add('urgent', { priority: 'high' });
        await assert.rejects(queue.add('x', { priority: 'urgent' as 'high' }), /priority must be/);
        const order: string[] = [];
        let fail = true;
        const priorities = new Map<string, string[]>();
        const worker = await queue.process(
          (job) => {
            order.push(job.payload);
            priorities.set(job.payload, [...(priorities.get(job.payload) ?? []), job.priority]);
            if (job.payload === 'urgent' && fail) throw new Error('once more');
          },
          { ...FAST, concurrency: 1, maxDeliveries: 2 },
        );
        try {
          await waitFor(() => worker.stats().deadLettered === 1 && worker.stats().completed === 30, 20_000, 'all jobs');
          assert.equal(order[0], 'urgent', `the high job ran first: ${order.slice(0, 3).join(', ')}`);
          assert.deepEqual(priorities.get('urgent'), ['high', 'high'], 'its retry came back high');
          fail = false;
          const [letter] = await queue.deadLetters();
          assert.ok(letter && (await queue.retryDeadLetter(letter.deadLetterId)));
          await waitFor(() => worker.stats().completed === 31, 10_000, 'the revived job');
          assert.deepEqual(priorities.get('urgent'), ['high', 'high', 'high'], 'revived high');
          const stats = await queue.stats();
          assert.deepEqual([stats.totals.pending, stats.totals.waiting, stats.totals.consumers], [0, 0, 1]);
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'a delayed job waits in the sorted set and enters the stream when due by the server clock',
      async run(ctx) {
        const queue = queueFor<string>(ctx);
        const before = await serverTime(ctx.client);
        await queue.add('later', { delayMs: 400 });
        const stats = await queue.stats();
        assert.equal(stats.totals.delayed, 1);
        assert.equal(stats.totals.length, 0);
        const ran: Job<string>[] = [];
        const worker = await queue.process((job) => void ran.push(job), FAST);
        try {
          await waitFor(() => ran.length === 1, 10_000, 'the delayed job');
          assert.ok((ran[0]?.addedAt ?? 0) >= before + 400, 'it entered the stream no earlier than due');
          assert.equal((await queue.stats()).totals.delayed, 0);
          assert.equal(await ctx.client.hlen(queue.partitions[0]?.delayedJobs as string), 0, 'its fields were removed');
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'trimming removes acknowledged entries only: pending and unread ones all survive',
      async run(ctx) {
        const queue = queueFor<number>(ctx);
        const keys = queue.partitions[0];
        assert.ok(keys);
        assert.equal(await queue.trim(), 0, 'no stream, no trim');
        const ids: string[] = [];
        for (let start = 0; start < 1000; start += 250) {
          const batch = ctx.client.pipeline();
          for (let n = start; n < start + 250; n++) batch.xadd(keys.stream, '*', 'p', String(n), 'j', `job-${n}`);
          ids.push(...((await batch.exec()) ?? []).map(([, id]) => String(id)));
        }
        assert.equal(await queue.trim(), 0, 'no group, no trim: nothing is known to be acknowledged');
        await ctx.client.xgroup('CREATE', keys.stream, 'workers', '0');
        await ctx.client.xreadgroup('GROUP', 'workers', 'c', 'COUNT', 600, 'STREAMS', keys.stream, '>');
        // Acknowledge the first 600 but entry 450: it stays pending, and 600..999 were never read.
        const acked = ids.slice(0, 600).filter((_, i) => i !== 450);
        for (let i = 0; i < acked.length; i += 200)
          await ctx.client.xack(keys.stream, 'workers', ...acked.slice(i, i + 200));
        const removed = await queue.trim();
        assert.ok(removed > 0 && removed <= 450, `removed ${removed}: some acknowledged entries, none from 450 on`);
        const left = (await ctx.client.xrange(keys.stream, ids[450] as string, '+')).map(([id]) => id);
        assert.deepEqual(left, ids.slice(450), 'the pending entry and every entry after it survive');
        assert.equal(await ctx.client.xlen(keys.stream), 1000 - removed);
        ctx.note(`trim removed ${removed} of 449 acknowledged entries below the oldest pending (whole nodes only)`);
        await dropQueue(ctx.client, queue);
      },
    },
    {
      name: 'graceful close: stops reading, finishes running jobs, releases those past the timeout to the next worker',
      async run(ctx) {
        const queue = queueFor<string>(ctx);
        const keys = queue.partitions[0];
        assert.ok(keys);
        const first = await queue.process(() => new Promise((r) => setTimeout(r, 200)), FAST);
        await queue.add('quick');
        await waitFor(() => first.stats().running === 1, 10_000, 'the quick job starting');
        assert.deepEqual(await first.close({ timeoutMs: 10_000 }), { finished: 1, released: 0 });
        assert.equal(first.stats().completed, 1);
        const consumers = (await ctx.client.call('XINFO', 'CONSUMERS', keys.stream, 'workers')) as unknown[];
        assert.equal(consumers.length, 0, 'a worker that holds nothing leaves the group');

        let aborted = false;
        const stuck = await queue.process(
          (job) =>
            new Promise<void>((resolve) => job.signal.addEventListener('abort', () => ((aborted = true), resolve()))),
          { ...FAST, visibilityMs: 60_000, maintenanceMs: 100 },
        );
        await queue.add('stuck');
        await waitFor(() => stuck.stats().running === 1, 10_000, 'the stuck job starting');
        assert.deepEqual(await stuck.close({ timeoutMs: 100 }), { finished: 0, released: 1 });
        assert.equal(aborted, true, 'the handler was told to stop');
        await queue.add('after close');
        const ran: Job<string>[] = [];
        // visibilityMs 60 s: the released job is taken at once, not after a dead worker's timeout.
        const next = await queue.process((job) => void ran.push(job), { ...FAST, visibilityMs: 60_000 });
        try {
          await waitFor(() => ran.length === 2, 10_000, 'the released job and the new one on the next worker');
          const released = ran.find((job) => job.payload === 'stuck');
          assert.equal(released?.deliveries, 1, 'a delivery cut short by shutdown does not count');
          assert.equal(stuck.stats().completed, 0);
        } finally {
          await next.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: "a dead worker's consumer, holding nothing and silent for 10 × visibilityMs, is removed from the group",
      async run(ctx) {
        const queue = queueFor<string>(ctx);
        const keys = queue.partitions[0];
        assert.ok(keys);
        await ctx.client.xgroup('CREATE', keys.stream, 'workers', '0', 'MKSTREAM');
        await ctx.client.call('XGROUP', 'CREATECONSUMER', keys.stream, 'workers', 'ghost');
        const names = async () =>
          ((await ctx.client.call('XINFO', 'CONSUMERS', keys.stream, 'workers')) as unknown[][]).map((c) =>
            String(c[1]),
          );
        const worker = await queue.process(() => {}, { ...FAST, visibilityMs: 400, maintenanceMs: 100 });
        try {
          const fields =
            ((await ctx.client.call('XINFO', 'CONSUMERS', keys.stream, 'workers')) as unknown[][])[0] ?? [];
          if (!fields.map(String).includes('inactive')) {
            // Before Redis 7.2 XINFO has no `inactive`, and `idle` keeps growing under a blocked read: a live worker
            // cannot be told from a dead one, so nothing is pruned.
            await new Promise((r) => setTimeout(r, 1000));
            assert.ok((await names()).includes('ghost'), 'nothing pruned without XINFO inactive');
            ctx.note('consumers not pruned: this server has no XINFO CONSUMERS inactive (Redis < 7.2)');
            return;
          }
          await waitFor(async () => !(await names()).includes('ghost'), 20_000, 'the ghost consumer removed');
          assert.deepEqual(await names(), [worker.consumer], 'the live worker stays');
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'stats: length, waiting, pending, consumers, delayed and dead letters per partition',
      async run(ctx) {
        const queue = queueFor<number>(ctx, { partitions: 2 });
        const empty = await queue.stats();
        assert.deepEqual(empty.totals, { length: 0, waiting: 0, pending: 0, consumers: 0, delayed: 0, deadLetters: 0 });
        for (let n = 0; n < 6; n++) await queue.add(n);
        await queue.add(99, { delayMs: 60_000 });
        const keys = queue.partitions[0];
        assert.ok(keys);
        await ctx.client.xgroup('CREATE', keys.stream, 'workers', '0');
        await ctx.client.xreadgroup('GROUP', 'workers', 'c', 'COUNT', 2, 'STREAMS', keys.stream, '>');
        const stats = await queue.stats();
        const p0 = stats.partitions[0];
        assert.deepEqual(
          { length: p0?.length, waiting: p0?.waiting, pending: p0?.pending, consumers: p0?.consumers },
          { length: 3, waiting: 1, pending: 2, consumers: 1 },
        );
        assert.deepEqual(
          { ...stats.totals },
          { length: 6, waiting: 4, pending: 2, consumers: 1, delayed: 1, deadLetters: 0 },
        );
        await dropQueue(ctx.client, queue);
      },
    },
    {
      name: 'one worker at concurrency 1 runs each partition in add order; every partition keeps its keys in one slot',
      async run(ctx) {
        const queue = queueFor<{ p: number; seq: number }>(ctx, { partitions: 8 });
        const slots = queue.partitions.map((keys) => {
          const all = new Set(
            [keys.stream, keys.high, keys.delayed, keys.delayedJobs, keys.dead, keys.id('x')].map(keySlot),
          );
          assert.equal(all.size, 1, `partition ${keys.partition}'s keys share one slot`);
          return keySlot(keys.stream);
        });
        assert.ok(new Set(slots).size >= 4, 'partitions spread over slots');
        if (ctx.client instanceof Cluster) {
          const nodes = new Set(slots.map((slot) => (ctx.client as Cluster).slots[slot]?.[0]));
          assert.ok(nodes.size >= 2, 'partitions spread over masters');
          ctx.note(`8 partitions on ${new Set(slots).size} slots, ${nodes.size} masters`);
        }
        const seen = new Map<number, number[]>();
        for (let seq = 0; seq < 80; seq++) {
          const { partition } = await queue.add({ p: -1, seq }, { id: `job-${seq}` });
          seen.set(partition, seen.get(partition) ?? []);
        }
        const order = new Map<number, number[]>();
        const worker = await queue.process(
          (job) => void order.set(job.partition, [...(order.get(job.partition) ?? []), job.payload.seq]),
          { ...FAST, concurrency: 1 },
        );
        try {
          await waitFor(() => worker.stats().completed === 80, 20_000, '80 jobs');
          for (const [partition, seqs] of order) {
            assert.deepEqual(
              seqs,
              [...seqs].sort((a, b) => a - b),
              `partition ${partition} ran in add order`,
            );
          }
          assert.ok(order.size >= 4, 'ids spread over the partitions');
        } finally {
          await worker.close();
          for (let seq = 0; seq < 80; seq++)
            for (const keys of queue.partitions) await ctx.client.unlink(keys.id(`job-${seq}`));
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'a worker serves only the partitions it is given; bad options are refused before anything is sent',
      async run(ctx) {
        assert.throws(() => createQueue(ctx.client, { name: 'bad name!' }), /queue name/);
        assert.throws(() => createQueue(ctx.client, { name: 'q', partitions: 0 }), /partitions must be/);
        const queue = queueFor<number>(ctx, { partitions: 2 });
        await assert.rejects(
          queue.process(() => {}, { visibilityMs: 100, maintenanceMs: 100 }),
          /at least 4 × maintenanceMs/,
        );
        await assert.rejects(
          queue.process(() => {}, { partitions: [2] }),
          /partition 2 does not exist/,
        );
        await assert.rejects(
          queue.process(() => {}, { concurrency: 0 }),
          /concurrency must be/,
        );
        await assert.rejects(queue.add(1, { id: '' }), /job id must be 1 to 256 bytes/);
        await assert.rejects(queue.add(1, { delayMs: -1 }), /delayMs/);
        for (const keys of queue.partitions) assert.equal(await ctx.client.exists(keys.stream), 0, 'nothing was sent');
        const seen = new Set<number>();
        const worker = await queue.process((job) => void seen.add(job.partition), { ...FAST, partitions: [1] });
        try {
          const added = await Promise.all(Array.from({ length: 20 }, (_, n) => queue.add(n)));
          const onOne = added.filter((a) => a.partition === 1).length;
          await waitFor(() => worker.stats().completed === onOne, 10_000, 'the jobs of partition 1');
          assert.deepEqual([...seen], [1]);
          const stats = await queue.stats();
          assert.equal(stats.partitions[0]?.waiting, 20 - onOne, "partition 0's jobs wait for a worker of their own");
        } finally {
          await worker.close();
          await dropQueue(ctx.client, queue);
        }
      },
    },
    {
      name: 'after SCRIPT FLUSH (a restart or failover) the scripts are sent again and work',
      async run(ctx) {
        const queue = queueFor<string>(ctx);
        await queue.add('warm', { id: 'w1' });
        const nodes = ctx.client instanceof Cluster ? ctx.client.nodes('master') : [ctx.client];
        await Promise.all(nodes.map((node) => node.script('FLUSH')));
        assert.equal((await queue.add('cold', { id: 'w2' })).added, true);
        assert.equal((await queue.stats()).totals.length, 2);
        for (const id of ['w1', 'w2']) await ctx.client.unlink(queue.partitions[0]?.id(id) as string);
        await dropQueue(ctx.client, queue);
      },
    },
    {
      name: 'replicas: an add resolves once a replica has it, and says so when none confirms it (the job is still added)',
      async run(ctx) {
        const queue = queueFor<string>(ctx, { replicas: 1, commandTimeoutMs: 300 });
        if (ctx.target.cluster) {
          assert.equal((await queue.add('durable')).added, true);
          assert.equal((await queue.add('durable too', { id: 'r1', delayMs: 10 })).added, true);
          ctx.note('add confirmed by a replica (WAIT on the node serving the partition)');
        } else {
          await assert.rejects(
            queue.add('unconfirmed'),
            (error: Error) => error.name === 'QueueReplicationError' && /reached 0 of 1 replica/.test(error.message),
          );
          assert.equal((await queue.stats()).totals.length, 1, 'the job was added all the same');
          ctx.note('no replica: the add is refused as unconfirmed, and the job is in the stream');
        }
        for (const keys of queue.partitions) await ctx.client.unlink(keys.id('r1'));
        await dropQueue(ctx.client, queue);
      },
    },
    {
      name: 'MCP queue tool: add, stats, dead letters and retry, bounded by --max-items; read-only has only stats and dead_letters',
      async run(ctx) {
        const queue = queueFor<{ n: number } | string>(ctx, { partitions: 3 });
        const name = { queue: 'jobs', prefix: ctx.prefix, partitions: 3 };
        const s = await inProcessSession(ctx.target, ['--tools', 'queue', '--max-items', '2']);
        try {
          const added = (await s.ok('queue', { op: 'add', ...name, payload: { n: 1 }, id: 'mcp-1' })).added as {
            added: boolean;
          };
          assert.equal(added.added, true);
          assert.equal(
            ((await s.ok('queue', { op: 'add', ...name, payload: { n: 1 }, id: 'mcp-1' })).added as { added: boolean })
              .added,
            false,
          );
          for (let n = 2; n <= 4; n++) await s.ok('queue', { op: 'add', ...name, payload: { n } });
          await queue.add(Buffer.from([0xff, 0x22, 0x0a]) as unknown as string);
          await queue.add('x'.repeat(3000));
          assert.match(await s.fails('queue', { op: 'add', ...name }), /needs payload/);
          const stats = (await s.ok('queue', { op: 'stats', ...name })).stats as {
            totals: { length: number };
            partitions: unknown[];
            partitionsOmitted: number;
          };
          assert.equal(stats.totals.length, 6);
          assert.deepEqual([stats.partitions.length, stats.partitionsOmitted], [2, 1], 'partitions cut to --max-items');
          // Every job fails once and is dead-lettered (maxDeliveries 1).
          const worker = await queue.process(() => Promise.reject(new Error('nope')), { ...FAST, maxDeliveries: 1 });
          await waitFor(async () => (await queue.stats()).totals.deadLetters === 6, 10_000, 'six dead letters');
          await worker.close();
          assert.match(
            await s.fails('queue', { op: 'dead_letters', ...name, count: 5 }),
            /Too big/,
            'count is bounded by --max-items',
          );
          const letters = (await s.ok('queue', { op: 'dead_letters', ...name, count: 2 })).deadLetters as Record<
            string,
            unknown
          >[];
          assert.equal(letters.length, 2);
          // Retry the bytes and the long payload through the tool; failing again makes them the two newest letters.
          const all = await queue.deadLetters(10);
          for (const letter of all.filter((l) => Buffer.isBuffer(l.payload) || l.rawPayload.length > 1024)) {
            assert.equal(
              (await s.ok('queue', { op: 'retry', ...name, deadLetterId: letter.deadLetterId })).retried,
              true,
            );
            assert.equal(
              (await s.ok('queue', { op: 'retry', ...name, deadLetterId: letter.deadLetterId })).retried,
              false,
            );
          }
          const again = await queue.process(() => Promise.reject(new Error('again')), { ...FAST, maxDeliveries: 1 });
          await waitFor(
            async () => (await queue.stats()).totals.deadLetters === 6,
            10_000,
            'the retried ones dead again',
          );
          await again.close();
          const view = new Map<number, Record<string, unknown>>();
          for (const letter of (await s.ok('queue', { op: 'dead_letters', ...name })).deadLetters as Record<
            string,
            unknown
          >[]) {
            view.set(letter.payloadBytes as number, letter);
          }
          assert.equal(view.get(3)?.payloadEscaped, '\\xff\\"\\n', 'bytes escaped as redis-cli prints them');
          assert.equal(view.get(3002)?.payload, undefined, 'a long payload is not shown whole');
          assert.equal(view.get(3002)?.payloadEscaped, `\\"${'x'.repeat(1023)}`, 'its first 1024 bytes, escaped');
        } finally {
          await s.close();
        }
        const ro = await inProcessSession(ctx.target, ['--tools', 'queue', '--read-only']);
        try {
          const tool = ro.tools.find((t) => t.name === 'queue');
          const ops = (tool?.inputSchema.properties as { op: { enum: string[] } }).op.enum;
          assert.deepEqual([...ops].sort(), ['dead_letters', 'stats']);
          assert.match(await ro.fails('queue', { op: 'add', ...name, payload: 1 }), /op/);
        } finally {
          await ro.close();
          for (const keys of queue.partitions) await ctx.client.unlink(keys.id('mcp-1'));
          await dropQueue(ctx.client, queue);
        }
      },
    },
  ],
});
