/**
 * The recomputations running in this process, by full key, so that every reader of a key that finds it missing or
 * expired shares one origin call instead of starting its own. A recomputation runs until its value is written to
 * Redis (its callers get the value before that: they do not wait for the write), so a reader that finds the key
 * still missing meanwhile shares the value instead of calling the origin again.
 *
 * A finished recomputation stays shareable for `keepMs` (the cache's Redis timeout): a reader whose Redis read
 * started before it finished saw the old entry and would otherwise start a second origin call for the same expiry.
 * "Before" is told by a logical clock (`readStarted()` and each settling take the next number), not a time: the hit
 * path then reads no clock for it, and clock reads cost hundreds of nanoseconds on some hosts.
 * Forgetting a key (on delete or set) drops both, so a recomputation that started before the change does not write
 * what it computed over it: it checks `mayWrite` before writing. A recomputation whose read was already on its way
 * when the key was set starts only after the set: forgetting also notes the logical time of the change, so that one
 * does not write either. Those notes are kept for the last FORGOTTEN_KEPT keys, by count rather than by a timer (a
 * timer would fire before a reply that arrived during an event-loop stall is read); a read older than the oldest
 * note dropped may not write, which costs a cache write, never a stale value.
 */

/** Keys whose last set or delete is remembered exactly. */
const FORGOTTEN_KEPT = 1000;
interface Settled {
  promise: Promise<unknown>;
  /** The logical time it settled at. */
  settledAt: number;
}

interface Running {
  promise: Promise<unknown>;
  /** Settles when the recomputation is over: its value written to Redis, or the write given up. */
  done: Promise<unknown>;
}

export class Recomputations {
  readonly #keepMs: number;
  readonly #running = new Map<string, Running>();
  readonly #recent = new Map<string, Settled>();
  /** The logical time each key was last set or deleted, oldest first. */
  readonly #forgotten = new Map<string, number>();
  /** The newest time dropped from `#forgotten`: any key may have changed up to then. */
  #forgottenFloor = 0;
  #clock = 0;

  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  /** A read starts: its logical time, for `shared`. */
  readStarted(): number {
    return ++this.#clock;
  }

  /** The recomputation of `full` that a reader whose Redis read started at `readAt` (`readStarted()`) should share. */
  shared(full: string, readAt: number): Promise<unknown> | undefined {
    const recent = this.#recent.get(full);
    return this.#running.get(full)?.promise ?? (recent && recent.settledAt > readAt ? recent.promise : undefined);
  }

  /**
   * Whether `promise`, started from a read at `readAt`, may write its value: it is still the recomputation of `full`
   * and the key was not set or deleted since that read started.
   */
  mayWrite(full: string, promise: Promise<unknown>, readAt: number): boolean {
    const changedAt = this.#forgotten.get(full) ?? this.#forgottenFloor;
    return this.#running.get(full)?.promise === promise && changedAt < readAt;
  }

  /**
   * Registers `promise` as the recomputation of `full`, running until `done` settles (default: `promise` itself);
   * after that it stays shareable for `keepMs`.
   */
  start(full: string, promise: Promise<unknown>, done: Promise<unknown> = promise): void {
    this.#running.set(full, { promise, done });
    const settle = () => {
      if (this.#running.get(full)?.promise !== promise) return; // forgotten meanwhile
      this.#running.delete(full);
      this.#recent.set(full, { promise, settledAt: ++this.#clock });
      setTimeout(() => {
        if (this.#recent.get(full)?.promise === promise) this.#recent.delete(full);
      }, this.#keepMs).unref();
    };
    done.then(settle, settle);
  }

  /** Stops sharing and writing any recomputation of `full` started so far. */
  forget(full: string): void {
    this.#running.delete(full);
    this.#recent.delete(full);
    this.#forgotten.delete(full); // re-inserted last: the map stays oldest first
    this.#forgotten.set(full, ++this.#clock);
    if (this.#forgotten.size > FORGOTTEN_KEPT) {
      const [oldest, at] = this.#forgotten.entries().next().value as [string, number];
      this.#forgotten.delete(oldest);
      this.#forgottenFloor = at;
    }
  }

  /** Resolves when no recomputation runs (those started meanwhile included). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running.values()].map((running) => running.done));
  }
}
