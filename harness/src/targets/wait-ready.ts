/** The start-up wait shared by the local Redis/Valkey servers and the private PostgreSQL. */

export interface StartingServer {
  /** `redis-server on port 6390`: names the server in errors. */
  readonly label: string;
  readonly running: boolean;
  logTail(lines?: number): string;
}

/**
 * Retries `probe` every `intervalMs` until it resolves, the process exits (its log tail in the error) or
 * `timeoutMs` passes (the probe's last error and the log tail in the error).
 */
export async function waitUntilReady(
  server: StartingServer,
  probe: () => Promise<void>,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!server.running) throw new Error(`${server.label} exited during start:\n${server.logTail()}`);
    try {
      await probe();
      return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const why = last ? ` (${last})` : '';
  throw new Error(`${server.label} not ready after ${timeoutMs} ms${why}:\n${server.logTail()}`);
}
