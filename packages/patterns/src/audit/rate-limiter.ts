/**
 * The ops-per-second cap: a pacing limiter shared by every node's scan. Each batch asks for its commands before
 * it is sent; the limiter books them on a virtual clock advancing 1/rate per command and sleeps until the
 * booking is no more than BURST_MS ahead of real time. Without a rate it never waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How far ahead of real time bookings may run before `take` waits. */
const BURST_MS = 50;

export class OpsRateLimiter {
  readonly opsPerSecond: number | undefined;
  private nextFreeAt = 0;

  constructor(opsPerSecond?: number) {
    if (opsPerSecond !== undefined && !(opsPerSecond > 0)) {
      throw new RangeError(`maxOpsPerSecond must be a positive number, got ${opsPerSecond}`);
    }
    this.opsPerSecond = opsPerSecond;
  }

  /** Resolves when `ops` more commands fit under the cap. */
  async take(ops: number, signal?: AbortSignal): Promise<void> {
    if (this.opsPerSecond === undefined || ops <= 0) return;
    const now = performance.now();
    this.nextFreeAt = Math.max(this.nextFreeAt, now) + (ops * 1000) / this.opsPerSecond;
    const wait = this.nextFreeAt - now - BURST_MS;
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : undefined);
  }
}
