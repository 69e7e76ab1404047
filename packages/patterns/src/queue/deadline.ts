/** The queue's deadlines: the shared `withTimeout` (../timeout.ts) with a QueueTimeoutError naming the operation. */
import { withTimeout } from '../timeout.ts';

export class QueueTimeoutError extends Error {
  override readonly name = 'QueueTimeoutError';
}

/** `promise`, or a QueueTimeoutError when it has not settled `ms` after the call (and after any arrived reply). */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(promise, ms, () => new QueueTimeoutError(`${what}: Redis did not answer within ${ms} ms`));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
