/**
 * Bounds how long the cache waits for Redis, so a frozen or unreachable server turns into a miss instead of a
 * hanging request. A timer per command costs about as much as the hit path's own work, so one shared sweeper
 * (running only while something waits) fails every wait older than the limit: a wait ends between `timeoutMs`
 * and `timeoutMs * 1.25` after it started. Each wait is decided once: by the answer or by the deadline, whichever
 * is handled first, never both.
 */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

interface Waiter {
  expiresAt: number;
  /** Decides the wait with a timeout (the sweeper has already removed it). */
  timeout: (error: RedisTimeoutError) => void;
}

export class Deadlines {
  readonly timeoutMs: number;
  readonly #waiting = new Set<Waiter>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
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

  /**
   * `onSettled(outcome)` with `promise`'s value, or its rejection's reason (ioredis rejects with Errors), or a
   * RedisTimeoutError once it has run longer than `timeoutMs`: once, with whichever comes first. The hit path's
   * wait: one promise where `bound(promise).then(f, f)` makes two.
   */
  settle<T, R>(promise: Promise<T>, onSettled: (outcome: unknown) => R | PromiseLike<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const decide = (outcome: unknown) => {
        try {
          resolve(onSettled(outcome));
        } catch (error) {
          reject(error);
        }
      };
      const waiter = this.#wait(decide);
      const answered = (outcome: unknown) => {
        if (this.#waiting.delete(waiter)) decide(outcome);
      };
      promise.then(answered, answered);
    });
  }

  #wait(timeout: (error: RedisTimeoutError) => void): Waiter {
    const waiter: Waiter = { expiresAt: performance.now() + this.timeoutMs, timeout };
    this.#waiting.add(waiter);
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(5, this.timeoutMs / 4)).unref();
    return waiter;
  }

  #sweep(): void {
    const now = performance.now();
    for (const waiter of this.#waiting) {
      if (waiter.expiresAt > now) continue;
      this.#waiting.delete(waiter);
      waiter.timeout(new RedisTimeoutError(`Redis did not answer within ${this.timeoutMs} ms`));
    }
    if (this.#waiting.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
