/**
 * Deadlines on network waits that an event-loop stall cannot turn into false timeouts.
 *
 * Node runs due timers before it reads sockets. After a stall (a long synchronous task, a GC pause, a starved
 * CPU) every timer that came due during it fires first, while the replies that arrived meanwhile still sit unread
 * in the socket buffers. A naive deadline then fails a wait whose answer is already here, and a caller that acts
 * on the timeout (a rate limiter's outage policy) makes a second decision beside the one Redis made. So once
 * a wait is due (by the monotonic clock, from the moment it started), it expires one turn of the event loop
 * later, and only if its answer has still not been read by then: setImmediate runs after the poll phase, which
 * reads every socket that was readable when it began. A wait therefore ends with its answer whenever that answer
 * reached this host before the deadline was noticed; it expires between `ms` and `ms` plus one loop turn (plus
 * any stall) after it started.
 */

const PENDING = 0;
const SETTLED = 1;
const EXPIRED = 2;

/** One bounded wait: ended by its answer (`settle`) or by its deadline, whichever comes first. */
export class Wait {
  readonly startedAt = performance.now();
  #state = PENDING;
  readonly #onExpire: () => void;
  readonly #queue: DeadlineQueue | undefined;
  /** The queue's links: internal to DeadlineQueue. */
  prev: Wait | undefined = undefined;
  next: Wait | undefined = undefined;

  constructor(onExpire: () => void, queue?: DeadlineQueue) {
    this.#onExpire = onExpire;
    this.#queue = queue;
  }

  get pending(): boolean {
    return this.#state === PENDING;
  }

  /** Ends the wait with its answer: true, or false when its deadline ended it first (the answer came late). */
  settle(): boolean {
    if (this.#state !== PENDING) return false;
    this.#state = SETTLED;
    this.#queue?.remove(this);
    return true;
  }

  /** Called by the deadline, one loop turn after the wait came due. */
  expire(): void {
    if (this.#state !== PENDING) return;
    this.#state = EXPIRED;
    this.#onExpire();
  }
}

function expireAll(waits: Wait[]): void {
  for (const wait of waits) wait.expire();
}

/**
 * Waits with one common limit, in the order they started (so in the order they come due), watched by one timer
 * armed for the oldest pending wait: no timer per wait. A settled wait leaves the list at once (a doubly linked
 * list, so in O(1)), and with it what its callbacks hold: kept until the timer passed, a busy limiter's settled
 * waits outlived the young generation and made the garbage collector's work several times larger.
 */
export class DeadlineQueue {
  readonly ms: number;
  #head: Wait | undefined;
  #tail: Wait | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    if (!(ms > 0)) throw new RangeError(`a deadline must be a number of milliseconds > 0, got ${ms}`);
    this.ms = ms;
  }

  /** Starts a wait; `onExpire` runs if it is still pending one loop turn after `ms` have passed. */
  start(onExpire: () => void): Wait {
    const wait = new Wait(onExpire, this);
    if (this.#tail) {
      this.#tail.next = wait;
      wait.prev = this.#tail;
    } else {
      this.#head = wait;
    }
    this.#tail = wait;
    if (this.#timer === undefined) this.#arm(this.ms);
    return wait;
  }

  /** Takes a wait off the list (settled, or come due); one not on it is left alone. */
  remove(wait: Wait): void {
    if (wait.prev) wait.prev.next = wait.next;
    else if (this.#head === wait) this.#head = wait.next;
    else return;
    if (wait.next) wait.next.prev = wait.prev;
    else this.#tail = wait.prev;
    wait.prev = undefined;
    wait.next = undefined;
  }

  /** Stops watching once nothing is pending (so a one-off wait leaves no timer behind). */
  release(): void {
    if (this.#timer === undefined || this.#head !== undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delayMs: number): void {
    // unref: a pending wait must not keep the process alive on its own (its socket does, while it is open).
    this.#timer = setTimeout(this.#check, Math.max(1, Math.ceil(delayMs))).unref();
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const due: Wait[] = [];
    for (let wait = this.#head; wait; wait = this.#head) {
      const dueIn = wait.startedAt + this.ms - now;
      if (dueIn > 0) {
        this.#arm(dueIn);
        break;
      }
      this.remove(wait);
      due.push(wait);
    }
    // One more loop turn: the poll phase in between reads any answer already in a socket buffer.
    if (due.length > 0) setImmediate(expireAll, due);
  };
}

/**
 * `promise`, or a rejection with `timeoutError()` when it has not settled `ms` after the call (by the rules
 * above: an answer that arrived during a stall wins). For a probe or call that must not hang on a frozen server.
 * A timer of its own per call: for many calls with one limit, share a queue with `boundBy`.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return bind(new DeadlineQueue(ms), promise, timeoutError, true);
}

/**
 * `promise`, or a rejection with `timeoutError()` when it has not settled within `deadlines.ms`, by the same rules;
 * the queue's one timer watches every call bounded by it (the queue stops it once nothing is pending when it fires).
 */
export function boundBy<T>(deadlines: DeadlineQueue, promise: Promise<T>, timeoutError: () => Error): Promise<T> {
  return bind(deadlines, promise, timeoutError, false);
}

function bind<T>(deadlines: DeadlineQueue, promise: Promise<T>, timeoutError: () => Error, release: boolean) {
  return new Promise<T>((resolve, reject) => {
    const wait = deadlines.start(() => reject(timeoutError()));
    promise.then(
      (value) => {
        if (wait.settle()) resolve(value);
        if (release) deadlines.release();
      },
      (error: unknown) => {
        if (wait.settle()) reject(error);
        if (release) deadlines.release();
      },
    );
  });
}
