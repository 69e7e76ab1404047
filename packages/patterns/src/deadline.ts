/**
 * Deadlines on Redis waits that never turn an answer into a timeout. After an event-loop stall, Node runs due
 * timers before it reads the sockets, so a plain `Promise.race` with a timer can reject a call whose reply already
 * sits in the socket buffer: the caller then decides "failed" (an add retried into a duplicate) although Redis
 * answered. Here the timer only schedules the decision for the check phase (`setImmediate`), which runs after the
 * poll phase has read and delivered any reply that arrived.
 */

/** `promise`, or `timeoutError()` when it has not settled `ms` after the call (and after any arrived reply). */
export function bounded<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(timeoutError());
      });
    }, ms);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
