import { stat } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue, withTimeout } from '../src/timeout.ts';

/** Blocks the event loop, as a long synchronous task or a starved CPU does. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * An answer through real I/O in one step: libuv's thread pool runs the stat while the loop is busy, and its
 * callback waits for the poll phase, which Node runs after the timers phase, like a reply in a socket buffer.
 */
const answer = () => new Promise<void>((resolve) => stat(import.meta.filename, () => resolve()));

/**
 * Runs `scenario` from an I/O callback, where a request handler runs: after it the loop runs the check phase,
 * then due timers, and only then reads I/O again. (Started from a timer instead, the poll phase would come next.)
 */
function fromIoCallback<T>(scenario: () => T): Promise<T> {
  return new Promise((resolve) => stat(import.meta.filename, () => resolve(scenario())));
}

describe('DeadlineQueue', () => {
  it('expires a wait that gets no answer, once its time has passed on the monotonic clock', async () => {
    const deadlines = new DeadlineQueue(20);
    const expired = new Promise<number>((resolve) => {
      const wait = deadlines.start(() => resolve(performance.now() - wait.startedAt));
    });
    expect(await expired).toBeGreaterThanOrEqual(20);
  });

  it('never expires a settled wait, and a settle after the expiry says the answer came late', async () => {
    const deadlines = new DeadlineQueue(10);
    let expirations = 0;
    const early = deadlines.start(() => expirations++);
    expect(early.settle()).toBe(true);
    const late = await new Promise<ReturnType<DeadlineQueue['start']>>((resolve) => {
      const wait = deadlines.start(() => {
        expirations++;
        resolve(wait);
      });
    });
    expect(late.settle()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(expirations).toBe(1);
  });

  it('an answer that arrived during an event-loop stall wins over the deadline that came due in it', async () => {
    const deadlines = new DeadlineQueue(20);
    const outcomes: string[] = [];
    const waits = await fromIoCallback(() => {
      const started = Array.from({ length: 50 }, () => {
        const wait = deadlines.start(() => outcomes.push('expired'));
        void answer().then(() => {
          if (wait.settle()) outcomes.push('answered');
        });
        return wait;
      });
      stall(150);
      return started;
    });
    while (waits.some((wait) => wait.pending)) await tick();
    expect(outcomes).toEqual(Array(50).fill('answered'));
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => new DeadlineQueue(0)).toThrow(RangeError);
    expect(() => new DeadlineQueue(Number.NaN)).toThrow(RangeError);
  });
});

describe('withTimeout', () => {
  it('passes a prompt answer through, and an error as it is', async () => {
    await expect(withTimeout(Promise.resolve(42), 50, () => new Error('late'))).resolves.toBe(42);
    const failure = new Error('refused');
    await expect(withTimeout(Promise.reject(failure), 50, () => new Error('late'))).rejects.toBe(failure);
  });

  it('rejects a promise that never settles with the given error', async () => {
    await expect(withTimeout(new Promise(() => {}), 10, () => new RangeError('late'))).rejects.toThrow(RangeError);
  });

  it('an answer that arrived during a stall wins', async () => {
    const [bounded] = await fromIoCallback(() => {
      const started = withTimeout(
        answer().then(() => 'answer'),
        20,
        () => new Error('late'),
      );
      stall(150);
      // In an array: returning the promise itself would make fromIoCallback wait for it.
      return [started];
    });
    await expect(bounded).resolves.toBe('answer');
  });
});
