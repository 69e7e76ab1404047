import { withTimeout } from '../timeout.ts';

/**
 * Every command the audit sends has a deadline: a server that accepts and never answers, or one frozen mid-audit
 * (SIGSTOP), ends that instance's audit with an AuditTimeoutError naming the node and the command, instead of a
 * wait without end.
 */
export class AuditTimeoutError extends Error {
  override readonly name = 'AuditTimeoutError';
}

/** ioredis's own commandTimeout rejection, when the caller's client has one: the same event, said our way. */
const IOREDIS_TIMEOUT = /^Command timed out/;

/**
 * `promise`, or an AuditTimeoutError when it has not settled `ms` after the call: `withTimeout`'s rule, so an answer
 * that arrived while the event loop was stalled still wins over a deadline that fired in the same stall.
 */
export function withinDeadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  const timeout = () =>
    new AuditTimeoutError(`${what()} got no answer within ${ms} ms: the server may be frozen or overloaded`);
  return withTimeout(promise, ms, timeout).catch((error: unknown) => {
    throw error instanceof Error && IOREDIS_TIMEOUT.test(error.message) ? timeout() : error;
  });
}
