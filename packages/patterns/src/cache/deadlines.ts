/**
 * Bounds how long the cache waits for Redis, so a frozen or unreachable server turns into a miss instead of a
 * hanging request. A timer per command costs about as much as the hit path's own work, so one shared sweeper
 * (running only while something waits) fails every wait older than the limit: a wait ends between `timeoutMs`
 * and `timeoutMs * 1.25` after it started.
 */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

interface Waiter {
  expiresAt: number;
  fail: (error: Error) => void;
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
      const waiter: Waiter = { expiresAt: performance.now() + this.timeoutMs, fail: reject };
      this.#waiting.add(waiter);
      this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(5, this.timeoutMs / 4)).unref();
      promise.then(
        (value) => {
          this.#waiting.delete(waiter);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiting.delete(waiter);
          reject(error);
        },
      );
    });
  }

  #sweep(): void {
    const now = performance.now();
    for (const waiter of this.#waiting) {
      if (waiter.expiresAt > now) continue;
      this.#waiting.delete(waiter);
      waiter.fail(new RedisTimeoutError(`Redis did not answer within ${this.timeoutMs} ms`));
    }
    if (this.#waiting.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
