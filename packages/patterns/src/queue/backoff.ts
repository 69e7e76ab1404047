/** The delay before a failed job runs again. */
import type { Backoff } from './options.ts';

/** The longest backoff: about 24.8 days (the largest timer Node accepts). */
export const MAX_BACKOFF_MS = 2 ** 31 - 1;

/** Milliseconds to wait after the `deliveries`-th start of a job failed (1 after the first failure). */
export function backoffDelay(backoff: Backoff, deliveries: number): number {
  const raw =
    typeof backoff === 'function'
      ? backoff(deliveries)
      : backoff.type === 'fixed'
        ? backoff.delayMs
        : Math.min(backoff.maxDelayMs ?? Number.POSITIVE_INFINITY, backoff.delayMs * 2 ** Math.max(0, deliveries - 1));
  // At least 1 ms (NaN too); at most MAX_BACKOFF_MS, so an exponential without a cap never overflows to Infinity.
  return raw >= 1 ? Math.round(Math.min(raw, MAX_BACKOFF_MS)) : 1;
}
