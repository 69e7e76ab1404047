/**
 * Bounds how long the cache waits for Redis, so a frozen or unreachable server turns into a miss instead of a
 * hanging request, by the kit's one deadline mechanism (`timeout.ts`): a wait expires one event-loop turn after it
 * came due on the monotonic clock, and only if its reply has still not been read by then. So an event-loop stall
 * cannot turn a reply that already reached the socket into a timeout (a second decision: a miss, an origin call),
 * and a wait ends between `timeoutMs` and `timeoutMs` plus one loop turn (plus any stall) after it started.
 *
 * One queue per cache watches all its waits with one timer, armed only while something waits (no timer per command:
 * arming and clearing one costs about as much as the hit path's own work). The hit path uses the queue's waits
 * directly (`start`/`settle`), which saves a promise per read; the other paths use `bound`.
 */
import { boundBy, DeadlineQueue } from '../timeout.ts';

export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

export class Deadlines {
  readonly timeoutMs: number;
  /** The waits, for callers that settle them themselves. */
  readonly queue: DeadlineQueue;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    this.queue = new DeadlineQueue(timeoutMs);
  }

  /** The error a wait that expired ends with. */
  readonly timeoutError = (): RedisTimeoutError =>
    new RedisTimeoutError(`Redis did not answer within ${this.timeoutMs} ms`);

  /** `promise`, or a RedisTimeoutError once it has run longer than `timeoutMs` (by the rules above). */
  bound<T>(promise: Promise<T>): Promise<T> {
    return boundBy(this.queue, promise, this.timeoutError);
  }
}
