/**
 * A worker: one blocking reader connection per partition it serves (XREADGROUP … BLOCK on the partition's high and
 * normal streams, so jobs start as soon as they are added, high-priority ones first, and a blocked read never holds up the shared client's commands), up to `concurrency` handlers at
 * once, and an upkeep every `maintenanceMs` that keeps running jobs fresh, moves due delayed jobs into the stream,
 * reclaims idle jobs of dead workers, trims acknowledged entries, and now and then removes dead workers' consumers.
 *
 * `close()` stops reading (within `blockMs`), waits for running jobs up to a timeout, gives the rest back (they stay
 * pending but look idle, so the next reclaim takes them), leaves the group when it holds nothing, and returns.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Cluster } from 'ioredis';
import { sendBatch, withKeys } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { backoffDelay } from './backoff.ts';
import { decodePayload, entryTime, errorText, fieldArgs, type JobFields, parseFields } from './codec.ts';
import { bounded, QueueTimeoutError, sleep } from './deadline.ts';
import type { PartitionKeys } from './keys.ts';
import { type Backoff, WORKER_DEFAULTS, type WorkerOptions } from './options.ts';
import { FAIL, LEAVE, PROMOTE_DUE, PRUNE_CONSUMERS, RECLAIM, RELEASE, TOUCH, TRIM, TRIM_LIMIT } from './scripts.ts';
import { positiveInteger, type QueueSettings } from './settings.ts';

export interface Job<T = unknown> {
  /** The id given to `add()`, or the random one it chose. */
  id: string;
  payload: T;
  partition: number;
  /** The stream entry this delivery came from (a retry is a new entry). */
  entryId: string;
  /** Read from the partition's high-priority stream. */
  priority: 'high' | 'normal';
  /** Handler starts of this job including this one: 1 the first time. */
  deliveries: number;
  /** When this entry was added (server clock, ms since the epoch). */
  addedAt: number;
  /** The error of the previous failed delivery, if any. */
  lastError?: string;
  /** Aborted when the worker gives the job back at shutdown: stop work, another worker will run it. */
  signal: AbortSignal;
}

/** Runs one job. Returning acknowledges it; throwing retries it after the backoff (or dead-letters it). */
export type JobHandler<T = unknown> = (job: Job<T>) => unknown;

export interface WorkerStats {
  consumer: string;
  /** Handlers that returned and whose acknowledgement Redis confirmed. */
  completed: number;
  /** Failed deliveries scheduled to run again after their backoff. */
  retried: number;
  /** Jobs this worker moved to the dead letters (failed `maxDeliveries` times, or unreadable). */
  deadLettered: number;
  /** Jobs taken over from a worker that stopped responding. */
  reclaimed: number;
  /** Jobs given back at shutdown. */
  released: number;
  running: number;
  /** Read and not yet started (waiting for a free slot). */
  buffered: number;
  /** Redis errors absorbed (the worker keeps going); `lastError` is the latest, redacted. */
  errors: number;
  lastError?: string;
}

export interface CloseResult {
  /** Jobs that were running when `close()` was called and finished. */
  finished: number;
  /** Jobs given back to the queue unfinished (running past the timeout, or read and not started). */
  released: number;
}

interface Delivery {
  keys: PartitionKeys;
  /** The stream it was read from: `keys.stream` or `keys.high`. */
  stream: string;
  entryId: string;
  flat: Buffer[];
  /** The entry's delivery count in the pending list after this delivery. */
  count: number;
}

interface Running {
  delivery: Delivery;
  controller: AbortController;
  /** Given back at shutdown: its outcome is no longer this worker's to record. */
  released: boolean;
  done: Promise<void>;
}

/** A released job looks idle this long, so any reclaim takes it (longer than any sane visibilityMs, shorter than the epoch). */
const RELEASED_IDLE_MS = 365 * 24 * 3600_000;
/** Pause after a failed read before the next one, so a server that is down is not hammered. */
const ERROR_PAUSE_MS = 500;
/** At most this many promotions of `batchSize` due jobs per partition per upkeep. */
const PROMOTE_ROUNDS = 10;
/** Dead workers' consumers are pruned every this many upkeeps, once silent for this many visibilityMs. */
const PRUNE_EVERY_TICKS = 10;
const PRUNE_AFTER_VISIBILITIES = 10;

export class Worker<T = unknown> {
  readonly consumer: string;
  readonly #s: QueueSettings;
  readonly #handler: JobHandler<T>;
  readonly #concurrency: number;
  readonly #visibilityMs: number;
  readonly #maxDeliveries: number;
  readonly #backoff: Backoff;
  readonly #blockMs: number;
  readonly #maintenanceMs: number;
  readonly #batchSize: number;
  readonly #partitions: PartitionKeys[];
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #readers = new Map<number, RedisClient>();
  readonly #running = new Map<string, Running>();
  /** XAUTOCLAIM cursors, by stream. */
  readonly #cursors = new Map<string, string>();
  #buffer: Delivery[] = [];
  #roomWaiters: (() => void)[] = [];
  #loops: Promise<void>[] = [];
  #upkeep: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #lastTouch = 0;
  #ticks = 0;
  #stopping = false;
  #closed: Promise<CloseResult> | undefined;
  readonly #stats = { completed: 0, retried: 0, deadLettered: 0, reclaimed: 0, released: 0, errors: 0 };
  #lastError: string | undefined;

  constructor(settings: QueueSettings, handler: JobHandler<T>, options: WorkerOptions) {
    this.#s = settings;
    this.#handler = handler;
    this.#concurrency = options.concurrency ?? WORKER_DEFAULTS.concurrency;
    this.#visibilityMs = options.visibilityMs ?? WORKER_DEFAULTS.visibilityMs;
    this.#maxDeliveries = options.maxDeliveries ?? WORKER_DEFAULTS.maxDeliveries;
    this.#backoff = options.backoff ?? WORKER_DEFAULTS.backoff;
    this.#blockMs = options.blockMs ?? WORKER_DEFAULTS.blockMs;
    this.#maintenanceMs = options.maintenanceMs ?? WORKER_DEFAULTS.maintenanceMs;
    this.#batchSize = options.batchSize ?? WORKER_DEFAULTS.batchSize;
    this.#onError = options.onError;
    positiveInteger('concurrency', this.#concurrency, 10_000);
    positiveInteger('maxDeliveries', this.#maxDeliveries, 1000);
    positiveInteger('blockMs', this.#blockMs, 10_000);
    positiveInteger('maintenanceMs', this.#maintenanceMs, 60_000);
    positiveInteger('batchSize', this.#batchSize, 10_000);
    positiveInteger('visibilityMs', this.#visibilityMs);
    if (this.#visibilityMs < 4 * this.#maintenanceMs) {
      throw new RangeError(
        `visibilityMs (${this.#visibilityMs}) must be at least 4 × maintenanceMs (${this.#maintenanceMs}): running jobs are kept fresh every third of it`,
      );
    }
    const wanted = options.partitions ?? settings.partitions.map((keys) => keys.partition);
    this.#partitions = wanted.map((p) => {
      const keys = settings.partitions[p];
      if (!keys) throw new RangeError(`partition ${p} does not exist: the queue has ${settings.partitions.length}`);
      return keys;
    });
    if (this.#partitions.length === 0) throw new RangeError('a worker needs at least one partition');
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Creates the group where missing, opens the readers and starts reading. */
  async start(): Promise<void> {
    await this.#ensureGroups(this.#partitions);
    try {
      for (const keys of this.#partitions) this.#readers.set(keys.partition, await this.#openReader());
    } catch (error) {
      for (const reader of this.#readers.values()) reader.disconnect();
      throw redactClientError(this.#s.client, error);
    }
    this.#loops = this.#partitions.map((keys) =>
      this.#readLoop(keys, this.#readers.get(keys.partition) as RedisClient),
    );
    this.#upkeep = setInterval(() => {
      this.#tick ??= this.#maintain().finally(() => {
        this.#tick = undefined;
      });
    }, this.#maintenanceMs);
  }

  stats(): WorkerStats {
    return {
      consumer: this.consumer,
      ...this.#stats,
      running: this.#running.size,
      buffered: this.#buffer.length,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** Stops the worker gracefully (see the file comment); calling it again returns the same result. */
  close(options: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.#closed ??= this.#shutdown(options.timeoutMs ?? WORKER_DEFAULTS.shutdownTimeoutMs);
    return this.#closed;
  }

  async #shutdown(timeoutMs: number): Promise<CloseResult> {
    this.#stopping = true;
    this.#wake();
    await Promise.all(this.#loops);
    const unstarted = this.#buffer.splice(0);
    const running = [...this.#running.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((r) => r.done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    const cut = [...this.#running.values()];
    for (const r of cut) {
      r.released = true;
      r.controller.abort(new Error('the worker is shutting down: another worker will run this job'));
    }
    clearInterval(this.#upkeep);
    await this.#tick;
    const released = await this.#release([...unstarted, ...cut.map((r) => r.delivery)]);
    if (released === 0) {
      await Promise.all(
        this.#streams().map((stream) =>
          this.#call(LEAVE.run(this.#s.client, [stream], [this.#s.group, this.consumer]), 'queue leave group').catch(
            (error: unknown) => this.#report(error),
          ),
        ),
      );
    }
    for (const reader of this.#readers.values()) reader.disconnect();
    return { finished: running.length - cut.length, released };
  }

  async #openReader(): Promise<RedisClient> {
    const client = this.#s.client;
    const reader = client instanceof Cluster ? client.duplicate() : client.duplicate();
    // Its errors surface on the reads; without a listener ioredis would print every reconnection attempt.
    reader.on('error', () => {});
    const ready = new Promise<void>((resolve, reject) => {
      if (reader.status === 'ready') return resolve();
      reader.once('ready', () => resolve());
      reader.once('end', () => reject(new Error('the reader connection closed before it was ready')));
    });
    try {
      await bounded(ready, this.#s.commandTimeoutMs, 'queue reader connect');
    } catch (error) {
      reader.disconnect();
      throw error;
    }
    return reader;
  }

  async #ensureGroups(partitions: readonly PartitionKeys[]): Promise<void> {
    // MKSTREAM: the stream of a queue nobody added to yet. It is the queue itself, so it has no TTL.
    const commands = partitions.flatMap((keys) =>
      keys.streams.map((stream) => withKeys('XGROUP', ['CREATE', stream, this.#s.group, '0', 'MKSTREAM'], [1])),
    );
    const replies = await this.#call(sendBatch(this.#s.client, commands), 'queue create group');
    for (const reply of replies) {
      if (reply instanceof Error && !reply.message.startsWith('BUSYGROUP'))
        throw redactClientError(this.#s.client, reply);
    }
  }

  async #readLoop(keys: PartitionKeys, reader: RedisClient): Promise<void> {
    while (!this.#stopping) {
      const room = await this.#room();
      if (room === 0) return;
      const read = reader.callBuffer(
        'XREADGROUP',
        'GROUP',
        this.#s.group,
        this.consumer,
        'COUNT',
        Math.min(room, this.#batchSize),
        'BLOCK',
        this.#blockMs,
        'STREAMS',
        ...keys.streams,
        '>',
        '>',
      );
      try {
        const reply = await bounded(read, this.#blockMs + this.#s.commandTimeoutMs, 'queue read');
        for (const [key, entries] of streamReplies(reply)) {
          const stream = key.toString() === keys.high ? keys.high : keys.stream;
          for (const [entryId, flat] of entries)
            this.#accept({ keys, stream, entryId: entryId.toString('latin1'), flat, count: 1 });
        }
      } catch (error) {
        this.#report(error);
        // A reply that comes after its deadline would deliver entries nobody handles: drop the connection (they stay
        // pending and are reclaimed after visibilityMs) and let it reconnect.
        if (error instanceof QueueTimeoutError) reader.disconnect(true);
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          await this.#ensureGroups([keys]).catch((e: unknown) => this.#report(e));
        }
        if (!this.#stopping) await sleep(ERROR_PAUSE_MS);
      }
    }
  }

  /** Free slots (at least 1), once there is one; 0 when the worker stops. */
  async #room(): Promise<number> {
    for (;;) {
      if (this.#stopping) return 0;
      const free = this.#concurrency - this.#running.size - this.#buffer.length;
      if (free > 0) return free;
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
  }

  #wake(): void {
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }

  /** Buffers a delivery to start when a slot is free: a high-priority one ahead of every normal one. */
  #accept(delivery: Delivery): void {
    const firstNormal = this.#buffer.findIndex((d) => d.stream !== d.keys.high);
    if (delivery.stream === delivery.keys.high && firstNormal >= 0) this.#buffer.splice(firstNormal, 0, delivery);
    else this.#buffer.push(delivery);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopping && this.#running.size < this.#concurrency && this.#buffer.length > 0) {
      this.#start(this.#buffer.shift() as Delivery);
    }
  }

  #start(delivery: Delivery): void {
    const key = `${delivery.keys.partition}:${delivery.entryId}`;
    const running: Running = { delivery, controller: new AbortController(), released: false, done: Promise.resolve() };
    this.#running.set(key, running);
    running.done = this.#execute(running).finally(() => {
      this.#running.delete(key);
      this.#pump();
      this.#wake();
    });
  }

  async #execute(running: Running): Promise<void> {
    const { delivery } = running;
    let fields: JobFields = unreadableFields(delivery);
    let payload: T;
    try {
      fields = parseFields(delivery.flat);
      payload = decodePayload(fields) as T;
    } catch (error) {
      // Nothing a retry could change: straight to the dead letters, with the bytes as they are.
      await this.#fail(delivery, fields, fields.previousDeliveries + delivery.count, error, true);
      return;
    }
    const deliveries = fields.previousDeliveries + delivery.count;
    const job: Job<T> = {
      id: fields.id,
      payload,
      partition: delivery.keys.partition,
      entryId: delivery.entryId,
      priority: delivery.stream === delivery.keys.high ? 'high' : 'normal',
      deliveries,
      addedAt: entryTime(delivery.entryId),
      ...(fields.lastError === undefined ? {} : { lastError: fields.lastError }),
      signal: running.controller.signal,
    };
    let failure: { error: unknown } | undefined;
    try {
      await this.#handler(job);
    } catch (error) {
      failure = { error };
    }
    if (running.released) return;
    if (failure) await this.#fail(delivery, fields, deliveries, failure.error, false);
    else await this.#ack(delivery);
  }

  async #ack(delivery: Delivery): Promise<void> {
    try {
      const xack = this.#s.client.xack(delivery.stream, this.#s.group, delivery.entryId);
      await this.#call(xack, 'queue ack');
      this.#stats.completed++;
    } catch (error) {
      // The entry stays pending: after visibilityMs another worker runs the job again (at least once).
      this.#report(error);
    }
  }

  async #fail(
    delivery: Delivery,
    fields: JobFields,
    deliveries: number,
    error: unknown,
    unrunnable: boolean,
  ): Promise<void> {
    const dead = unrunnable || deliveries >= this.#maxDeliveries;
    const lastError = errorText(error);
    const args = dead
      ? [...fieldArgs({ ...fields, previousDeliveries: 0, lastError }), 'd', deliveries]
      : fieldArgs({ ...fields, previousDeliveries: deliveries, lastError });
    const { keys } = delivery;
    try {
      const run = FAIL.run(
        this.#s.client,
        [delivery.stream, keys.delayed, keys.delayedJobs, keys.dead],
        [
          this.#s.group,
          this.consumer,
          delivery.entryId,
          dead ? 'dead' : 'retry',
          backoffDelay(this.#backoff, deliveries),
          this.#s.deadLetterMaxLen,
          randomUUID(),
          ...args,
        ],
      );
      // 0: another worker reclaimed the job meanwhile and owns its outcome.
      if ((await this.#call(run, 'queue fail')) === 1) this.#stats[dead ? 'deadLettered' : 'retried']++;
    } catch (failError) {
      // The entry stays pending and is reclaimed after visibilityMs; its delivery count already holds this attempt.
      this.#report(failError);
    }
  }

  /** The upkeep: touch running jobs, then per partition move due delayed jobs, reclaim idle ones and trim. */
  async #maintain(): Promise<void> {
    const now = performance.now();
    if (now - this.#lastTouch >= this.#visibilityMs / 3) {
      this.#lastTouch = now;
      await this.#touch();
    }
    if (this.#stopping) return;
    const prune = this.#ticks++ % PRUNE_EVERY_TICKS === 0;
    await Promise.all(
      this.#partitions.map(async (keys) => {
        await this.#promote(keys).catch((error: unknown) => this.#report(error));
        for (const stream of keys.streams) {
          await this.#reclaim(keys, stream).catch((error: unknown) => this.#report(error));
          const trim = TRIM.run(this.#s.client, [stream], [TRIM_LIMIT]);
          await this.#call(trim, 'queue trim').catch((error: unknown) => this.#report(error));
          if (!prune) continue;
          const args = [this.#s.group, this.#visibilityMs * PRUNE_AFTER_VISIBILITIES, this.#batchSize];
          const run = PRUNE_CONSUMERS.run(this.#s.client, [stream], args);
          await this.#call(run, 'queue prune consumers').catch((error: unknown) => this.#report(error));
        }
      }),
    );
  }

  async #touch(): Promise<void> {
    const held = [...this.#running.values()].map((r) => r.delivery).concat(this.#buffer);
    await Promise.all(
      this.#streams().map(async (stream) => {
        const ids = held.filter((d) => d.stream === stream).map((d) => d.entryId);
        for (let i = 0; i < ids.length; i += this.#batchSize) {
          const run = TOUCH.run(
            this.#s.client,
            [stream],
            [this.#s.group, this.consumer, ...ids.slice(i, i + this.#batchSize)],
          );
          await this.#call(run, 'queue touch').catch((error: unknown) => this.#report(error));
        }
      }),
    );
  }

  async #promote(keys: PartitionKeys): Promise<void> {
    for (let round = 0; round < PROMOTE_ROUNDS; round++) {
      const run = PROMOTE_DUE.run(
        this.#s.client,
        [keys.delayed, keys.delayedJobs, keys.stream, keys.high],
        [this.#batchSize],
      );
      if ((await this.#call(run, 'queue promote')) !== this.#batchSize) return;
    }
  }

  async #reclaim(keys: PartitionKeys, stream: string): Promise<void> {
    const free = this.#concurrency - this.#running.size - this.#buffer.length;
    if (free <= 0) return;
    const cursor = this.#cursors.get(stream) ?? '0-0';
    const run = RECLAIM.runBuffer(
      this.#s.client,
      [stream, keys.dead],
      [
        this.#s.group,
        this.consumer,
        this.#visibilityMs,
        cursor,
        Math.min(free, this.#batchSize),
        this.#maxDeliveries,
        this.#s.deadLetterMaxLen,
      ],
    );
    const [next, claimed, dead] = (await this.#call(run, 'queue reclaim')) as [
      Buffer,
      [Buffer, Buffer[], number][],
      number,
    ];
    this.#cursors.set(stream, next.toString('latin1'));
    this.#stats.deadLettered += dead;
    if (this.#stopping) {
      // Claimed while shutting down: give them straight back.
      await this.#release(
        claimed.map(([entryId, flat, count]) => ({ keys, stream, entryId: entryId.toString('latin1'), flat, count })),
      );
      return;
    }
    for (const [entryId, flat, count] of claimed) {
      this.#stats.reclaimed++;
      this.#accept({ keys, stream, entryId: entryId.toString('latin1'), flat, count });
    }
  }

  /** Gives deliveries back (see RELEASE); returns how many this worker still held. */
  async #release(deliveries: Delivery[]): Promise<number> {
    let released = 0;
    await Promise.all(
      this.#streams().map(async (stream) => {
        const mine = deliveries.filter((d) => d.stream === stream);
        for (let i = 0; i < mine.length; i += this.#batchSize) {
          const pairs = mine.slice(i, i + this.#batchSize).flatMap((d) => [d.entryId, Math.max(0, d.count - 1)]);
          const run = RELEASE.run(this.#s.client, [stream], [this.#s.group, this.consumer, RELEASED_IDLE_MS, ...pairs]);
          try {
            released += Number(await this.#call(run, 'queue release'));
          } catch (error) {
            // They stay pending under this consumer and are reclaimed after visibilityMs instead.
            this.#report(error);
          }
        }
      }),
    );
    this.#stats.released += released;
    return released;
  }

  /** Every stream this worker reads. */
  #streams(): string[] {
    return this.#partitions.flatMap((keys) => [...keys.streams]);
  }

  #call<R>(promise: Promise<R>, what: string): Promise<R> {
    return bounded(promise, this.#s.commandTimeoutMs, what);
  }

  #report(error: unknown): void {
    const redacted = redactClientError(this.#s.client, error);
    this.#stats.errors++;
    this.#lastError = redacted.message;
    this.#onError?.(redacted);
  }
}

/**
 * The streams and entries of an XREADGROUP reply: `[[key, entries], …]` in RESP2, the map `{ key: entries, … }` as the
 * flat `[key, entries, …]` in RESP3 (ioredis 6 speaks RESP3 and transforms only its named `xreadgroup` method's
 * replies). Null (the block timed out) is no stream.
 */
export function streamReplies(reply: unknown): [Buffer, [Buffer, Buffer[]][]][] {
  if (!Array.isArray(reply)) return [];
  const out: [Buffer, [Buffer, Buffer[]][]][] = [];
  if (Array.isArray(reply[0])) {
    for (const pair of reply as [Buffer, [Buffer, Buffer[]][]][]) out.push([pair[0], pair[1] ?? []]);
  } else {
    for (let i = 0; i + 1 < reply.length; i += 2)
      out.push([reply[i] as Buffer, (reply[i + 1] as [Buffer, Buffer[]][]) ?? []]);
  }
  return out;
}

/** Fields for an entry that does not parse as a job: its `p` bytes if any, the entry id as the job id. */
function unreadableFields(delivery: Delivery): JobFields {
  let payload: Buffer = Buffer.alloc(0);
  for (let i = 0; i + 1 < delivery.flat.length; i += 2) {
    if ((delivery.flat[i] as Buffer).toString('latin1') === 'p') payload = delivery.flat[i + 1] as Buffer;
  }
  return {
    id: delivery.entryId,
    payload,
    raw: true,
    high: delivery.stream === delivery.keys.high,
    previousDeliveries: 0,
  };
}
