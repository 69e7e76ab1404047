/**
 * Server-assisted invalidation for one Redis server, in the two-connection mode of Redis client-side caching:
 * a `reader` connection with `CLIENT TRACKING on REDIRECT <id>` (the server remembers the keys it read, or with
 * BCAST every key under a prefix) and a `subscriber` connection, id `<id>`, subscribed to `__redis__:invalidate`,
 * where the server sends the keys as soon as anyone modifies them (or `null` when the database is flushed).
 *
 * The subscriber speaks RESP2: ioredis 6 negotiates RESP3 by default, and there invalidations arrive as `invalidate`
 * push frames that it drops; under RESP2 they are ordinary pub/sub messages.
 *
 * A session is one pair of fresh connections that never reconnect by themselves: if either closes, or the
 * subscriber does not answer a PING within `timeoutMs` (a frozen server or a silent network), the session is over,
 * and invalidations may have been missed, so the owner must forget everything it read through it (`onLost`). The
 * owner then starts a new session after a backoff. Reads through a session that is over are never stored.
 */
import type { Redis } from 'ioredis';

export interface TrackingOptions {
  /** `keys`: the server tracks the keys this session read; `bcast`: every key under `prefix`. */
  mode: 'keys' | 'bcast';
  /** The keys' prefix for BCAST (the cache's `namespace:`). */
  prefix: string;
  heartbeatMs: number;
  timeoutMs: number;
}

export interface TrackingEvents {
  /** Keys modified on the server (Buffers, as sent), or null when it dropped all of them (FLUSHALL, FLUSHDB). */
  onInvalidate(keys: Buffer[] | null): void;
  /** The session ended: what was read through it can no longer be trusted. */
  onLost(session: TrackingSession, reason: string): void;
}

export const INVALIDATION_CHANNEL = '__redis__:invalidate';

/** How a session's connections are made from the server's own client: same address, credentials and TLS. */
function sessionConnection(source: Redis, name: string, protocol?: 2): Redis {
  return source.duplicate({
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    connectionName: name,
    ...(protocol ? { protocol } : {}),
  });
}

export class TrackingSession {
  readonly reader: Redis;
  readonly #subscriber: Redis;
  readonly #options: TrackingOptions;
  readonly #events: TrackingEvents;
  #ready = false;
  #over = false;
  #wasReady = false;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(source: Redis, options: TrackingOptions, events: TrackingEvents) {
    this.#options = options;
    this.#events = events;
    this.reader = sessionConnection(source, 'rak-cache-l1-reader');
    this.#subscriber = sessionConnection(source, 'rak-cache-l1-invalidations', 2);
    for (const connection of [this.reader, this.#subscriber]) {
      connection.on('error', () => {});
      connection.once('close', () => this.end('connection closed'));
    }
    this.#subscriber.on('messageBuffer', (channel: Buffer, keys: Buffer[] | null) => {
      if (!this.#over && channel.toString() === INVALIDATION_CHANNEL) this.#events.onInvalidate(keys);
    });
  }

  /** True once tracking redirects to the subscriber, until the session ends: reads may then be stored. */
  get ready(): boolean {
    return this.#ready && !this.#over;
  }

  get over(): boolean {
    return this.#over;
  }

  /** Whether it was ever set up (a session that ends before is a failed set-up, not a loss). */
  get wasReady(): boolean {
    return this.#wasReady;
  }

  /** Connects both, subscribes, turns tracking on; rejects (and ends the session) when any step fails or is late. */
  async start(): Promise<void> {
    const timer = setTimeout(
      () => this.end(`not set up within ${4 * this.#options.timeoutMs} ms`),
      4 * this.#options.timeoutMs,
    );
    try {
      await Promise.all([this.reader.connect(), this.#subscriber.connect()]);
      const id = await this.#subscriber.client('ID');
      await this.#subscriber.subscribe(INVALIDATION_CHANNEL);
      const bcast = this.#options.mode === 'bcast' ? ['BCAST', 'PREFIX', this.#options.prefix] : [];
      await this.reader.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(id), ...bcast);
      if (this.#over) throw new Error('the session ended while it was set up');
      this.#ready = true;
      this.#wasReady = true;
      this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatMs).unref();
    } catch (error) {
      this.end(`set-up failed: ${(error as Error).message}`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the session once: both connections are dropped and the owner is told. */
  end(reason: string): void {
    if (this.#over) return;
    this.#over = true;
    this.#ready = false;
    clearInterval(this.#heartbeat);
    this.reader.disconnect();
    this.#subscriber.disconnect();
    this.#events.onLost(this, reason);
  }

  /** A PING on the subscriber: an answer later than `timeoutMs` ends the session (invalidations may be stuck). */
  #beat(): void {
    const timer = setTimeout(
      () => this.end(`the invalidation connection did not answer a PING within ${this.#options.timeoutMs} ms`),
      this.#options.timeoutMs,
    );
    this.#subscriber.ping().then(
      () => clearTimeout(timer),
      (error: Error) => {
        clearTimeout(timer);
        this.end(`PING failed: ${error.message}`);
      },
    );
  }
}
