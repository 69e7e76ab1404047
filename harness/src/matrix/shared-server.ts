/**
 * What the matrix does on a server it did not start (a REDIS_TARGETS `url` target, perhaps someone's production):
 *
 * - Each check works under its own prefix `rak:<workflow>:<8 hex digits>` (runCheck) and removes what it wrote.
 *   Every key it writes contains that prefix, or the prefix with `_` for `:` and `-` where a name must not contain
 *   `:`; the one exception is the MCP session tool's `mcp:session:<random id>`, which the check deletes in a
 *   `finally`. After the run the matrix SCANs every master for `matrixKeyPatterns` and unlinks what a check that
 *   failed midway left, printing the count. Nothing is flushed; no other key is touched.
 * - TTLs: most keys expire within seconds to a day (sessions: up to 86,400 s; the copier's checkpoint: 7 days);
 *   the key audit seeds a few keys without TTL on purpose (it reports them). All are removed as above.
 * - A check marked `destructive` (it creates ACL users, or changes more than keys under its prefix) does not run
 *   there unless the user passes `--allow-destructive` (applicability.ts); the matrix shows it skipped and why.
 * - Fault injection (`--faults`) never touches it: the fault lane starts its own private servers.
 * - Server-side state that is not a key: Lua scripts in the script cache (EVALSHA; they are not flushed), and on a
 *   server with search, FT indexes named after the check's prefix, dropped by the check that made them.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { masters } from '@redis-agent-kit/patterns/cluster';

const HEX8 = '[0-9a-f]'.repeat(8);

/**
 * The SCAN patterns that match every key the checks of these workflows write: any key containing a check's prefix
 * (`rak:<workflow>:<8 hex>`, also inside `{…}` or after a tool's own prefix such as `mcp:ratelimit:`), or that
 * prefix with `_` for its separators (names that must not contain `:`, e.g. an index or a key outside any
 * namespace). Eight hex digits after the workflow make a user's own key matching by chance implausible.
 */
export function matrixKeyPatterns(workflows: string[]): string[] {
  return workflows.flatMap((id) => [
    `*rak:${escapeGlob(id)}:${HEX8}*`,
    `*rak_${escapeGlob(id.replace(/\W/g, '_'))}_${HEX8}*`,
  ]);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Every key matching `pattern` (of one `type`, if given) on every master: a whole SCAN walk, never one call, since
 * one SCAN call on a server shared with other tests sees only part of the keyspace.
 */
export async function keysMatching(client: RedisClient, pattern: string, type?: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const args = ['MATCH', pattern, 'COUNT', 1000, ...(type ? ['TYPE', type] : [])];
      const [next, keys] = (await node.call('SCAN', cursor, ...args)) as [string, string[]];
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/**
 * Unlinks every key matching `patterns` on every master (SCAN with MATCH and a bounded COUNT; the keys of each page
 * unlinked on the node that holds them). Returns how many keys it removed.
 */
export async function removeKeys(client: RedisClient, patterns: string[]): Promise<number> {
  let removed = 0;
  for (const node of masters(client)) {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = (await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)) as [string, string[]];
        cursor = next;
        if (keys.length === 0) continue;
        // One UNLINK per key, pipelined: on a cluster node the keys of one page may hash to different slots.
        const replies = (await node.pipeline(keys.map((key) => ['unlink', key])).exec()) ?? [];
        for (const [error, count] of replies) {
          if (error) throw error;
          removed += count as number;
        }
      } while (cursor !== '0');
    }
  }
  return removed;
}
