/** Measuring helpers for fault scenarios: bounded waits that turn a hang into a failure with a clear message. */

export type Settled<T> = { ok: true; value: T; ms: number } | { ok: false; error: Error; ms: number };

/** Waits for `promise` to succeed or fail; throws when it does neither within `boundMs` (a hang). */
export async function settleWithin<T>(promise: Promise<T>, boundMs: number, what: string): Promise<Settled<T>> {
  const started = performance.now();
  const hang = new Error(`${what} neither succeeded nor failed within ${boundMs} ms: it hangs`);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(hang), boundMs);
  });
  try {
    const value = await Promise.race([promise, deadline]);
    return { ok: true, value, ms: performance.now() - started };
  } catch (error) {
    if (error === hang) throw hang;
    return {
      ok: false,
      error: error instanceof Error ? error : new Error(String(error)),
      ms: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
    // The loser of the race must not become an unhandled rejection.
    promise.catch(() => {});
  }
}

/** Retries `op` every `intervalMs` until it succeeds; returns the milliseconds that took, or throws at `timeoutMs`. */
export async function msUntilSucceeds(op: () => Promise<unknown>, timeoutMs: number, intervalMs = 50): Promise<number> {
  const started = performance.now();
  let last: unknown;
  while (performance.now() - started < timeoutMs) {
    try {
      await op();
      return performance.now() - started;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  throw new Error(
    `did not recover within ${timeoutMs} ms; last error: ${last instanceof Error ? last.message : String(last)}`,
  );
}

/** Sends `count` commands at once (as concurrent requests would during a fault) and returns those that failed. */
export async function failuresOf<T>(
  count: number,
  op: () => Promise<T>,
  boundMs: number,
  what: string,
): Promise<{ error: Error; ms: number }[]> {
  const settled = await Promise.all(Array.from({ length: count }, () => settleWithin(op(), boundMs, what)));
  return settled.flatMap((s) => (s.ok ? [] : [s]));
}
