/**
 * `--demo`: writes a small keyspace for the audit to find something in, so a first run against an empty server
 * shows what the report says. Every key is under `key-audit-demo:` and expires within an hour; writing it again
 * replaces the same keys, so nothing accumulates. What it holds, and what the audit makes of it:
 * - `key-audit-demo:user:<n>:profile`: 40 hashes (a namespace with ids folded into `*`);
 * - `key-audit-demo:cart:<n>`: 30 short lists;
 * - `key-audit-demo:session:<n>:{token,ip,seen}`: 45 small strings with TTLs, per-field expiry emulated with keys
 *   (the `hash-field-ttl-emulation` finding, on a server with HEXPIRE);
 * - `key-audit-demo:report:daily`: one 20 KB string (a big key);
 * - `key-audit-demo:leaderboard`: a sorted set of 500 members;
 * - `key-audit-demo:rate:<n>`: 10 counters expiring within a minute (the shortest TTL bucket).
 */
import type { RedisClient } from '@redis-agent-kit/patterns';

export const DEMO_PREFIX = 'key-audit-demo:';
/** The longest TTL a demo key gets, in seconds. */
export const DEMO_MAX_TTL_SECONDS = 3600;

type Write = (pipeline: ReturnType<RedisClient['pipeline']>) => void;

/** Each demo key and how to write it with its TTL: one small pipeline per key, so a cluster routes it whole. */
function demoKeys(): [string, Write][] {
  const keys: [string, Write][] = [];
  const p = DEMO_PREFIX;
  for (let n = 1; n <= 40; n++) {
    const key = `${p}user:${n}:profile`;
    keys.push([
      key,
      (w) => {
        w.del(key);
        w.hset(key, { name: `user ${n}`, email: `user${n}@example.com`, plan: n % 4 ? 'free' : 'pro' });
        w.expire(key, DEMO_MAX_TTL_SECONDS);
      },
    ]);
  }
  for (let n = 1; n <= 30; n++) {
    const key = `${p}cart:${n}`;
    keys.push([
      key,
      (w) => {
        w.del(key);
        w.rpush(key, `sku-${n}`, `sku-${n + 1}`, `sku-${n + 2}`);
        w.expire(key, 1800);
      },
    ]);
  }
  for (let n = 1; n <= 15; n++) {
    for (const field of ['token', 'ip', 'seen']) {
      const key = `${p}session:${n}:${field}`;
      keys.push([key, (w) => w.set(key, `${field}-${n}`, 'EX', 600)]);
    }
  }
  const report = `${p}report:daily`;
  keys.push([report, (w) => w.set(report, 'x'.repeat(20 * 1024), 'EX', DEMO_MAX_TTL_SECONDS)]);
  const board = `${p}leaderboard`;
  keys.push([
    board,
    (w) => {
      w.del(board);
      w.zadd(board, ...Array.from({ length: 500 }, (_, i) => [String(i * 7), `player-${i}`]).flat());
      w.expire(board, DEMO_MAX_TTL_SECONDS);
    },
  ]);
  for (let n = 1; n <= 10; n++) {
    const key = `${p}rate:10.0.0.${n}`;
    keys.push([key, (w) => w.set(key, String(n), 'EX', 50)]);
  }
  return keys;
}

/** Writes the demo keyspace and returns how many keys it holds. A write the server refuses (a read-only user) throws. */
export async function writeDemoKeyspace(client: RedisClient): Promise<number> {
  const keys = demoKeys();
  // Twenty keys at a time: a few dozen round trips in all, never a burst of hundreds of pipelines.
  for (let at = 0; at < keys.length; at += 20) {
    await Promise.all(
      keys.slice(at, at + 20).map(async ([, write]) => {
        const pipeline = client.pipeline();
        write(pipeline);
        for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      }),
    );
  }
  return keys.length;
}
