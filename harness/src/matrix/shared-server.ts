/**
 * What the matrix does on a server it did not start (a REDIS_TARGETS `url` target, perhaps someone's production):
 *
 * - Every check writes only keys whose names start with `rak:<workflow>:<8 hex digits>` or, where one script or
 *   transaction needs a hash tag, `{rak:<workflow>:<8 hex digits>}` (the check's prefix from runCheck), and it
 *   removes what it wrote. After the run the matrix scans every master for `rak:<workflow>:*` and
 *   `{rak:<workflow>:*` of the workflows that ran and unlinks what is left (a check that failed midway), printing
 *   the count. Nothing else in the keyspace is read for cleanup, and nothing is flushed.
 * - A check marked `destructive` (it creates ACL users, or changes more than keys under its prefix) does not run
 *   there unless the user passes `--allow-destructive`; the matrix shows it as skipped and says why.
 * - Fault injection (`--faults`) never touches it: the fault lane starts its own private servers.
 */
import { masters, type RedisClient } from '@redis-agent-kit/patterns';
import type { TargetInfo } from '../targets/types.ts';

declare module './suite.ts' {
  interface Check {
    /**
     * What the check does to a server beyond keys under its prefix, e.g. `creates and deletes an ACL user`.
     * On a server the harness did not start, such a check runs only with `--allow-destructive`.
     */
    destructive?: string;
  }
}

/** Why a check must not run on this target, or undefined when it may. */
export function destructiveRefusal(
  check: { destructive?: string },
  target: Pick<TargetInfo, 'provider'>,
  allowDestructive: boolean,
): string | undefined {
  if (!check.destructive || target.provider !== 'url' || allowDestructive) return undefined;
  return `destructive: ${check.destructive}; run on a REDIS_TARGETS server only with --allow-destructive`;
}

/** The SCAN patterns that match every key the matrix's checks of these workflows write. */
export function matrixKeyPatterns(workflows: string[]): string[] {
  return workflows.flatMap((id) => [`rak:${escapeGlob(id)}:*`, `{rak:${escapeGlob(id)}:*`]);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
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
