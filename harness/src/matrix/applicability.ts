/**
 * Whether a check runs on a target, beyond the capabilities it requires (runCheck decides those): a check for one
 * topology runs on every target of that shape, whatever its name (a REDIS_TARGETS cluster too), and a check marked
 * `destructive` runs on a server the harness did not start only when the user allows it (shared-server.ts).
 * The matrix and the vitest binding run checks through `runApplicableCheck` (runCheck alone decides capabilities only).
 */
import type { TargetInfo } from '../targets/types.ts';
import { type Check, type CheckResult, runCheck, type WorkflowSuite } from './suite.ts';

declare module './suite.ts' {
  interface Check {
    /** Only on a cluster, or only on a single server. */
    topology?: 'cluster' | 'standalone';
    /**
     * What the check does to a server beyond keys under its prefix, e.g. `creates and deletes an ACL user`.
     * On a server the harness did not start, such a check runs only with `--allow-destructive`.
     */
    destructive?: string;
  }
}

/** `RAK_ALLOW_DESTRUCTIVE=1` allows destructive checks on REDIS_TARGETS servers in `npm test` (the matrix has a flag). */
export function allowDestructiveFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RAK_ALLOW_DESTRUCTIVE === '1';
}

/**
 * Why a check does not run on this target, or undefined when it may. A reason starting `not run on` means the
 * check does not apply there (shown as —); any other is a skip the reports list with its reason.
 */
export function refusal(
  check: { topology?: 'cluster' | 'standalone'; destructive?: string },
  target: Pick<TargetInfo, 'provider' | 'cluster'>,
  allowDestructive: boolean,
): string | undefined {
  if (check.topology && (check.topology === 'cluster') !== target.cluster)
    return `not run on ${target.cluster ? 'a cluster' : 'a single server'}`;
  if (check.destructive && target.provider === 'url' && !allowDestructive)
    return `destructive: ${check.destructive}; run on a REDIS_TARGETS server only with --allow-destructive`;
  return undefined;
}

/** Runs a check where `refusal` allows it; otherwise the skip, with the refusal as its reason. */
export async function runApplicableCheck(
  suite: WorkflowSuite,
  check: Check,
  target: TargetInfo,
  allowDestructive: boolean,
): Promise<CheckResult> {
  const refused = refusal(check, target, allowDestructive);
  if (!refused) return runCheck(suite, check, target);
  return { suite: suite.id, target: target.name, check: check.name, status: 'skip', reason: refused, notes: [], ms: 0 };
}
