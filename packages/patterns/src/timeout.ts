/**
 * `promise`, or a rejection with `timeoutError()` once `ms` have passed; the timer is cleared either way. For a
 * probe or call that must not hang on a frozen server (health checks, outage decisions). The cache bounds its
 * hot path with one shared sweeper instead (cache/deadlines.ts), trading precision for a timer per read.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
