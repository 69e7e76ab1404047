/**
 * Bounds how long the cache waits for Redis, so a frozen or unreachable server turns into a miss instead of a
 * hanging request. A timer per command costs about as much as the hit path's own work, and so does reading a clock
 * on some hosts, so one shared sweeper (running only while something waits) ticks every `timeoutMs / 4` and fails
 * every wait that has seen 5 ticks: a wait ends between `timeoutMs` and `timeoutMs * 1.25` after it started. Time is
 * counted in ticks, so an event-loop stall counts as one tick and cannot by itself expire a wait whose answer
 * arrived meanwhile. Each wait is decided once: by the answer or by the deadline, whichever is handled first.
 */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

interface Waiter {
  /** The sweeper's tick when the wait started. */
  startTick: number;
  /** Decides the wait with a timeout (the sweeper has already removed it). */
  timeout: (error: RedisTimeoutError) => void;
}

export class Deadlines {
  readonly timeoutMs: number;
  readonly #intervalMs: number;
  /** Ticks a wait lasts: the first tick may come at once, so one more than the timeout holds. */
  readonly #ticks: number;
  readonly #waiting = new Set<Waiter>();
  #sweeper: NodeJS.Timeout | undefined;
  #tick = 0;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    this.#intervalMs = Math.max(5, timeoutMs / 4);
    this.#ticks = Math.ceil(timeoutMs / this.#intervalMs) + 1;
  }

  /** `promise`, or a RedisTimeoutError once it has run longer than `timeoutMs`. */
  bound<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = this.#wait(reject);
      promise.then(
        (value) => this.#waiting.delete(waiter) && resolve(value),
        (error: unknown) => this.#waiting.delete(waiter) && reject(error),
      );
    });
  }

  #wait(timeout: (error: RedisTimeoutError) => void): Waiter {
    const waiter: Waiter = { startTick: this.#tick, timeout };
    this.#waiting.add(waiter);
    this.#sweeper ??= setInterval(() => this.#sweep(), this.#intervalMs).unref();
    return waiter;
  }

  #sweep(): void {
    const tick = ++this.#tick;
    for (const waiter of this.#waiting) {
      if (tick - waiter.startTick < this.#ticks) continue;
      this.#waiting.delete(waiter);
      waiter.timeout(new RedisTimeoutError(`Redis did not answer within ${this.timeoutMs} ms`));
    }
    if (this.#waiting.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
