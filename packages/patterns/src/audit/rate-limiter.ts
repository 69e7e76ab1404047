/**
 * The ops-per-second cap: a pacing limiter shared by every node's scan. Each batch asks for its commands before
 * it is sent; the limiter books them on a virtual clock advancing 1/rate per command and sleeps until the
 * booking is no more than `burstMs` ahead of real time. Without a rate it never waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class OpsRateLimiter {
  readonly opsPerSecond: number | undefined;
  private readonly burstMs: number;
  private nextFreeAt = 0;

  constructor(opsPerSecond?: number, burstMs = 50) {
    if (opsPerSecond !== undefined && !(opsPerSecond > 0)) {
      throw new RangeError(`maxOpsPerSecond must be a positive number, got ${opsPerSecond}`);
    }
    this.opsPerSecond = opsPerSecond;
    this.burstMs = burstMs;
  }

  /** Resolves when `ops` more commands fit under the cap. */
  async take(ops: number, signal?: AbortSignal): Promise<void> {
    if (this.opsPerSecond === undefined || ops <= 0) return;
    const now = performance.now();
    this.nextFreeAt = Math.max(this.nextFreeAt, now) + (ops * 1000) / this.opsPerSecond;
    const wait = this.nextFreeAt - now - this.burstMs;
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : undefined);
  }
}
