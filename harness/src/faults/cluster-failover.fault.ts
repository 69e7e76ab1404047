/**
 * Writes through the factory's cluster client while a master is killed and its replica promoted. One writer per
 * master (keys under a hash tag that lives on it) writes `SET … EX 300` and records every acknowledgement; after
 * the failover every acknowledged write is read back.
 *
 * What is guaranteed, and asserted: writes to the masters that kept running are never lost, writes acknowledged
 * after the promotion are never lost, and writes to the failed master's slots succeed again. What is not: Redis
 * replicates asynchronously, so a write the killed master acknowledged but had not yet sent to its replica is
 * lost. Those are counted (`lostOnFailedMaster`) and reported, not hidden.
 */
import assert from 'node:assert/strict';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { keySlot } from '@redis-agent-kit/patterns/cluster';
import { settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

interface Write {
  key: string;
  value: string;
  startedAt: number;
  endedAt: number;
}

interface WriterLog {
  acks: Write[];
  errors: (Write & { message: string })[];
}

/** The gap between one writer's writes: enough writes to see the failover at 5 ms resolution, few enough to read back. */
const PACE_MS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A hash tag per master, by port: keys `…:{tag}:n` all live on that master. */
async function tagPerMaster(client: RedisClient): Promise<Map<number, string>> {
  const slots = (await client.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
  const tags = new Map<number, string>();
  for (const [from, to, [, port]] of slots) {
    for (let i = 0; !tags.has(port); i++) {
      const slot = keySlot(`m${i}`);
      if (slot >= from && slot <= to && ![...tags.values()].includes(`m${i}`)) tags.set(port, `m${i}`);
    }
  }
  return tags;
}

async function writer(client: RedisClient, prefix: string, tag: string, log: WriterLog, stopped: () => boolean) {
  for (let seq = 0; !stopped(); seq++) {
    const key = `${prefix}:{${tag}}:${seq}`;
    const value = `${tag}:${seq}`;
    const startedAt = performance.now();
    const result = await settleWithin(client.set(key, value, 'EX', 300), 30_000, `SET ${key} during the failover`);
    const write = { key, value, startedAt, endedAt: performance.now() };
    if (result.ok) log.acks.push(write);
    else log.errors.push({ ...write, message: result.error.message });
    await sleep(PACE_MS);
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The acknowledged writes whose key no longer holds the acknowledged value. */
async function lostWrites(client: RedisClient, acks: Write[]): Promise<Write[]> {
  const lost: Write[] = [];
  for (let i = 0; i < acks.length; i += 200) {
    const batch = acks.slice(i, i + 200);
    const values = await Promise.all(batch.map((w) => client.get(w.key)));
    batch.forEach((w, j) => {
      if (values[j] !== w.value) lost.push(w);
    });
  }
  return lost;
}

export default defineFaultScenario({
  id: 'cluster-failover',
  workflow: 'connection',
  fault: 'failover',
  title: 'Cluster master killed during writes, replica promoted',
  async run({ startCluster, connect, prefix, note }) {
    const cluster = await startCluster();
    const client = await connect(cluster);
    const tags = await tagPerMaster(client);
    const logs = new Map([...tags.values()].map((tag) => [tag, { acks: [], errors: [] } as WriterLog]));
    let stopping = false;
    const writers = [...logs].map(([tag, l]) => writer(client, prefix, tag, l, () => stopping));
    let killedAt = 0;
    let promotedAt = 0;
    let failover: Awaited<ReturnType<typeof cluster.killMasterAndAwaitFailover>>;
    let affected: WriterLog;
    try {
      await sleep(500);
      killedAt = performance.now();
      failover = await cluster.killMasterAndAwaitFailover();
      promotedAt = performance.now();
      affected = logs.get(tags.get(failover.killedPort) as string) as WriterLog;
      await waitFor(
        () => affected.acks.filter((w) => w.startedAt > promotedAt).length >= 20,
        15_000,
        'writes to the failed master’s slots did not succeed again',
      );
    } finally {
      stopping = true;
      await Promise.all(writers);
    }

    const others = [...logs.values()].filter((l) => l !== affected);
    const lostAffected = await lostWrites(client, affected.acks);
    const lostOthers = await lostWrites(
      client,
      others.flatMap((l) => l.acks),
    );
    assert.equal(lostOthers.length, 0, 'no acknowledged write lost on the masters that kept running');
    assert.equal(
      lostAffected.filter((w) => w.startedAt > promotedAt).length,
      0,
      'no write acknowledged by the promoted replica lost',
    );
    const firstAckAfterKill = affected.acks.find((w) => w.startedAt >= killedAt);
    assert.ok(firstAckAfterKill, 'writes to the failed master’s slots succeed again');

    const all = [...logs.values()];
    const errors = all.flatMap((l) => l.errors);
    for (const message of [...new Set(errors.map((e) => e.message))].slice(0, 3)) note(`write error: ${message}`);
    note(
      lostAffected.length
        ? `${lostAffected.length} write(s) acknowledged by the killed master were lost: replication is asynchronous`
        : 'no acknowledged write lost (asynchronous replication allows a few; none in this run)',
    );
    return {
      numbers: {
        acknowledged: all.reduce((n, l) => n + l.acks.length, 0),
        errors: errors.length,
        errorsOnOtherMasters: others.reduce((n, l) => n + l.errors.length, 0),
        failoverMs: failover.ms,
        recoverMs: Math.round(firstAckAfterKill.endedAt - killedAt),
        slowestWriteMs: Math.round(
          Math.max(...all.flatMap((l) => [...l.acks, ...l.errors]).map((w) => w.endedAt - w.startedAt)),
        ),
        lostOnFailedMaster: lostAffected.length,
        lostOnOtherMasters: lostOthers.length,
      },
    };
  },
});
