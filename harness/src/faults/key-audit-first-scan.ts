/** For the key-audit fault scenarios: waits until a server has answered the audit's first SCAN, to fault it mid-scan. */
import type { RedisClient } from '@redis-agent-kit/patterns';

export async function firstScanAnswered(watcher: RedisClient, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!/cmdstat_scan:calls=\d+/.test(await watcher.info('commandstats'))) {
    if (performance.now() > deadline) throw new Error(`the audit never scanned ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
