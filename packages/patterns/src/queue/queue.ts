/**
 * A durable job queue on Redis Streams: `add()` appends a job to a partition's stream (or to its delayed set),
 * workers read it in one consumer group (`process()`), acknowledge it when their handler returns, retry it after a
 * backoff when the handler throws, and reclaim the jobs of workers that died. `stats()`, the dead letters and their
 * retry are here; the worker loop is in worker.ts, the atomic steps in scripts.ts.
 *
 * Delivery is at least once: a job whose worker died, or whose acknowledgement was lost, runs again. Handlers must
 * be idempotent (the example records a job id per completion). Order, per partition: jobs become runnable in the
 * order they were added and are delivered in that order, high-priority ones (a second stream, read first) before
 * normal ones; a retried job goes back behind the others after its backoff, a delayed job joins when due, a
 * reclaimed job runs again when its worker is declared dead. With one worker at concurrency 1 on a partition a job
 * starts only after the one before it finished; otherwise jobs start in order but may finish in any order. There is
 * no order between partitions.
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { command, orThrow, sendBatch, withKeys } from '../cluster/batch.ts';
import { keySlot } from '../cluster/key-slot.ts';
import { nodeAddress } from '../cluster/nodes.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { encodePayload, entryTime, fieldArgs, parseFields } from './codec.ts';
import { bounded } from './deadline.ts';
import { partitionOf } from './keys.ts';
import { MAX_JOB_ID_BYTES, type QueueOptions, type WorkerOptions } from './options.ts';
import { ADD_DELAYED, ADD_ONCE, REVIVE, TRIM, TRIM_LIMIT } from './scripts.ts';
import { positiveInteger, type QueueSettings, resolveQueueOptions } from './settings.ts';
import { type JobHandler, Worker } from './worker.ts';

export interface AddOptions {
  /**
   * An idempotency id (1 to 256 bytes): adding the same id again within `idempotencyWindowMs` of its first add is a
   * no-op that answers `added: false`. It is the job's id, and picks its partition. Default: a random UUID, no check.
   */
  id?: string;
  /** Run no earlier than this many ms from now (by the server's clock). Default 0. */
  delayMs?: number;
  /**
   * `high`: the job goes to the partition's high-priority stream, which workers read before the normal one, so it
   * starts before every normal job not yet read (its retries stay high). Default `normal`.
   */
  priority?: 'high' | 'normal';
}

export interface AddResult {
  /** The job's id: the one given, or a random UUID. */
  id: string;
  partition: number;
  /** false when the id was already added within the idempotency window (nothing was added). */
  added: boolean;
}

export interface PartitionStats {
  partition: number;
  /** XLEN of both streams: entries runnable, running, and acknowledged ones not yet trimmed. */
  length: number;
  /** Entries the group has not read yet (XINFO GROUPS lag); null when the server cannot tell (after XDEL). */
  waiting: number | null;
  /** Read and not acknowledged: running, or held by a worker that died until it is reclaimed. */
  pending: number;
  consumers: number;
  delayed: number;
  deadLetters: number;
}

export interface QueueStats {
  name: string;
  group: string;
  partitions: PartitionStats[];
  totals: Omit<PartitionStats, 'partition' | 'waiting'> & { waiting: number | null };
}

export interface DeadLetter<T = unknown> {
  /** `<partition>:<entry id>`: what `retryDeadLetter()` takes. */
  deadLetterId: string;
  /** The job's id. */
  id: string;
  partition: number;
  /** The payload, or undefined when it is not valid JSON (then `rawPayload` has the bytes). */
  payload: T | undefined;
  rawPayload: Buffer;
  error: string;
  deliveries: number;
  /** When it became a dead letter (server clock, ms since the epoch). */
  failedAt: number;
}

/** An add that Redis took but fewer replicas than `replicas` confirmed in time. */
export class QueueReplicationError extends Error {
  override readonly name = 'QueueReplicationError';
}

export class Queue<T = unknown> {
  readonly name: string;
  readonly #settings: QueueSettings;
  #nextPartition = 0;

  constructor(client: RedisClient, options: QueueOptions) {
    this.#settings = resolveQueueOptions(client, options);
    this.name = this.#settings.name;
  }

  /** The keys of each partition (for inspection and tests). */
  get partitions(): QueueSettings['partitions'] {
    return this.#settings.partitions;
  }

  async add(payload: T, options: AddOptions = {}): Promise<AddResult> {
    const s = this.#settings;
    const { bytes, raw } = encodePayload(payload, s.maxPayloadBytes);
    const delayMs = Math.ceil(options.delayMs ?? 0);
    if (!(delayMs >= 0 && delayMs <= 365 * 24 * 3600_000))
      throw new RangeError(`delayMs must be from 0 to one year, got ${options.delayMs}`);
    if (options.id !== undefined) {
      const size = Buffer.byteLength(options.id);
      if (size < 1 || size > MAX_JOB_ID_BYTES)
        throw new RangeError(`a job id must be 1 to ${MAX_JOB_ID_BYTES} bytes, got ${size}`);
    }
    const id = options.id ?? randomUUID();
    const partition =
      options.id === undefined ? this.#nextPartition++ % s.partitions.length : partitionOf(id, s.partitions.length);
    const keys = s.partitions[partition] as QueueSettings['partitions'][number];
    const high = options.priority === 'high';
    if (options.priority !== undefined && !high && options.priority !== 'normal') {
      throw new RangeError(`priority must be "high" or "normal", got ${JSON.stringify(options.priority)}`);
    }
    const stream = high ? keys.high : keys.stream;
    const fields = fieldArgs({ id, payload: bytes, raw, high, previousDeliveries: 0 });
    let added = true;
    try {
      if (options.id !== undefined) {
        const keyList = [stream, keys.id(id), keys.delayed, keys.delayedJobs];
        const run = ADD_ONCE.run(s.client, keyList, [s.idempotencyWindowMs, delayMs, randomUUID(), ...fields]);
        added = (await bounded(run, s.commandTimeoutMs, 'queue add')) === 1;
      } else if (delayMs > 0) {
        const run = ADD_DELAYED.run(s.client, [keys.delayed, keys.delayedJobs], [delayMs, randomUUID(), ...fields]);
        await bounded(run, s.commandTimeoutMs, 'queue add');
      } else {
        await bounded(s.client.call('XADD', stream, '*', ...fields), s.commandTimeoutMs, 'queue add');
      }
      if (s.replicas > 0 && added) await this.#replicated(delayMs > 0 ? keys.delayed : stream);
    } catch (error) {
      throw redactClientError(s.client, error);
    }
    return { id, partition, added };
  }

  /**
   * Waits until `replicas` replicas have this connection's writes to `key`'s node (WAIT covers every earlier write of
   * the connection it is sent on: on a cluster that is the node serving the key's slot, the one that took the add).
   */
  async #replicated(key: string): Promise<void> {
    const s = this.#settings;
    let node: RedisClient | undefined = s.client;
    if (s.client instanceof Cluster) {
      const address = s.client.slots[keySlot(key)]?.[0];
      node = s.client.nodes('master').find((n) => nodeAddress(n) === address);
    }
    if (!node)
      throw new Error(
        `queue add: no connection to the node serving ${key}; the job was added, its replication is unknown`,
      );
    const reached = Number(
      await bounded(node.call('WAIT', s.replicas, s.commandTimeoutMs), s.commandTimeoutMs + 1000, 'queue add WAIT'),
    );
    if (reached < s.replicas) {
      throw new QueueReplicationError(
        `queue add: the job was added but reached ${reached} of ${s.replicas} replica(s) within ${s.commandTimeoutMs} ms; a failover now could lose it: retry with the same id`,
      );
    }
  }

  /** Starts a worker running `handler` for this queue's jobs; resolves once it reads. Stop it with `close()`. */
  async process(handler: JobHandler<T>, options: WorkerOptions = {}): Promise<Worker<T>> {
    const worker = new Worker<T>(this.#settings, handler, options);
    await worker.start();
    return worker;
  }

  /** Lengths, pending, lag, delayed and dead letters per partition: six commands each, one round trip per node. */
  async stats(): Promise<QueueStats> {
    const s = this.#settings;
    const PER_PARTITION = 6;
    const commands = s.partitions.flatMap((keys) => [
      ...keys.streams.flatMap((stream) => [command('XLEN', stream), withKeys('XINFO', ['GROUPS', stream], [1])]),
      command('ZCARD', keys.delayed),
      command('XLEN', keys.dead),
    ]);
    const replies = await this.#bounded(sendBatch(s.client, commands), 'queue stats');
    const partitions = s.partitions.map((keys, p): PartitionStats => {
      const [highLength, highGroups, length, groups, delayed, deadLetters] = replies.slice(
        p * PER_PARTITION,
        (p + 1) * PER_PARTITION,
      );
      for (const reply of [highLength, length, delayed, deadLetters])
        if (reply instanceof Error) throw redactClientError(s.client, reply);
      // Per stream; XINFO GROUPS on a stream nobody has added to or read yet answers "no such key": nothing there.
      const streams = [
        [Number(highLength), highGroups],
        [Number(length), groups],
      ].map(([len, reply]) => {
        const group = reply instanceof Error ? undefined : groupInfo(reply as unknown[][], s.group);
        // No group yet: nothing was read, so everything in the stream waits.
        return {
          length: len as number,
          waiting: group ? group.lag : (len as number),
          pending: group?.pending ?? 0,
          consumers: group?.consumers ?? 0,
        };
      });
      const [h, n] = streams as [(typeof streams)[number], (typeof streams)[number]];
      return {
        partition: keys.partition,
        length: h.length + n.length,
        waiting: h.waiting === null || n.waiting === null ? null : h.waiting + n.waiting,
        pending: h.pending + n.pending,
        // A worker reads both streams as one consumer: count it once.
        consumers: Math.max(h.consumers, n.consumers),
        delayed: Number(delayed),
        deadLetters: Number(deadLetters),
      };
    });
    const sum = (pick: (p: PartitionStats) => number) => partitions.reduce((n, p) => n + pick(p), 0);
    const unknownLag = partitions.some((p) => p.waiting === null);
    return {
      name: s.name,
      group: s.group,
      partitions,
      totals: {
        length: sum((p) => p.length),
        waiting: unknownLag ? null : sum((p) => p.waiting ?? 0),
        pending: sum((p) => p.pending),
        consumers: sum((p) => p.consumers),
        delayed: sum((p) => p.delayed),
        deadLetters: sum((p) => p.deadLetters),
      },
    };
  }

  /** The newest dead letters, at most `count` (1 to 1000, default 10) over all partitions. */
  async deadLetters(count = 10): Promise<DeadLetter<T>[]> {
    positiveInteger('count', count, 1000);
    const s = this.#settings;
    const commands = s.partitions.map((keys) => command('XREVRANGE', keys.dead, '+', '-', 'COUNT', count));
    const replies = orThrow(
      await this.#bounded(sendBatch(s.client, commands, { buffers: true }), 'queue dead letters'),
    );
    const letters = replies.flatMap((reply, partition) =>
      (reply as [Buffer, Buffer[]][]).map(([entryId, flat]) =>
        deadLetter<T>(partition, entryId.toString('latin1'), flat),
      ),
    );
    return letters.sort((a, b) => b.failedAt - a.failedAt).slice(0, count);
  }

  /** Puts a dead letter back as a new job (its deliveries start from 0). Resolves false when there is no such letter. */
  async retryDeadLetter(deadLetterId: string): Promise<boolean> {
    const s = this.#settings;
    const match = /^(\d+):(\d+-\d+)$/.exec(deadLetterId);
    const keys = match ? s.partitions[Number(match[1])] : undefined;
    if (!match || !keys) {
      throw new RangeError(
        `a dead letter id is <partition>:<entry id> with partition below ${s.partitions.length}, got ${JSON.stringify(deadLetterId)}`,
      );
    }
    const run = REVIVE.run(s.client, [keys.dead, keys.stream, keys.high], [match[2] as string]);
    return (await this.#bounded(run, 'queue retry dead letter')) === 1;
  }

  /**
   * Removes acknowledged entries now (workers also do it every upkeep): per partition, below every group's oldest
   * pending and last delivered entry, whole radix-tree nodes only, at most `limit` entries. Returns how many went.
   */
  async trim(limit = TRIM_LIMIT): Promise<number> {
    positiveInteger('limit', limit);
    const s = this.#settings;
    const removed = await Promise.all(
      s.partitions.flatMap((keys) =>
        keys.streams.map((stream) => this.#bounded(TRIM.run(s.client, [stream], [limit]), 'queue trim')),
      ),
    );
    return removed.reduce((n: number, r) => n + Number(r), 0);
  }

  async #bounded<R>(promise: Promise<R>, what: string): Promise<R> {
    try {
      return await bounded(promise, this.#settings.commandTimeoutMs, what);
    } catch (error) {
      throw redactClientError(this.#settings.client, error);
    }
  }
}

/** A queue named `options.name` on `client` (standalone or cluster). Nothing is sent until the first call. */
export function createQueue<T = unknown>(client: RedisClient, options: QueueOptions): Queue<T> {
  return new Queue<T>(client, options);
}

function groupInfo(
  groups: unknown[][],
  name: string,
): { pending: number; consumers: number; lag: number | null } | undefined {
  for (const flat of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
    if (String(info.name) !== name) continue;
    return {
      pending: Number(info.pending),
      consumers: Number(info.consumers),
      lag: info.lag === null || info.lag === undefined ? null : Number(info.lag),
    };
  }
  return undefined;
}

function deadLetter<T>(partition: number, entryId: string, flat: Buffer[]): DeadLetter<T> {
  const fields = parseFields(flat);
  let deliveries = 0;
  for (let i = 0; i + 1 < flat.length; i += 2)
    if ((flat[i] as Buffer).toString('latin1') === 'd') deliveries = Number((flat[i + 1] as Buffer).toString('latin1'));
  let payload: T | undefined;
  if (fields.raw) payload = fields.payload as T;
  else {
    try {
      payload = JSON.parse(fields.payload.toString('utf8')) as T;
    } catch {
      payload = undefined;
    }
  }
  return {
    deadLetterId: `${partition}:${entryId}`,
    id: fields.id,
    partition,
    payload,
    rawPayload: fields.payload,
    error: fields.lastError ?? '',
    deliveries,
    failedAt: entryTime(entryId),
  };
}
