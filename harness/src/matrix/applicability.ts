/**
 * Whether a check runs on a target: the one rule over what each check declares in its suite file (`topology`,
 * `destructive`, `requires`; see `Check` in suite.ts). A check for one topology runs on every target of that shape,
 * whatever its name (a REDIS_TARGETS cluster too); a check marked `destructive` runs on a server the harness did
 * not start only when the user allows it (shared-server.ts); a check needing a capability runs where the probe
 * found it. `runCheck` applies this rule, so the matrix, the vitest binding and any test that runs a check agree.
 */
import { CAPABILITY_LABELS } from '@redis-agent-kit/patterns';
import type { TargetInfo } from '../targets/types.ts';
import type { Check } from './suite.ts';

/** `RAK_ALLOW_DESTRUCTIVE=1` allows destructive checks on REDIS_TARGETS servers in `npm test` (the matrix has a flag). */
export function allowDestructiveFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RAK_ALLOW_DESTRUCTIVE === '1';
}

/**
 * Why a check does not run on this target, or undefined when it does. A reason starting `not run on` means the
 * check does not apply there (shown as —, no test); any other is a skip the reports list with its reason.
 */
export function whyNotRun(
  check: Pick<Check, 'topology' | 'destructive' | 'requires'>,
  target: Pick<TargetInfo, 'provider' | 'cluster' | 'capabilities'>,
  allowDestructive: boolean,
): string | undefined {
  if (check.topology && (check.topology === 'cluster') !== target.cluster)
    return `not run on ${target.cluster ? 'a cluster' : 'a single server'}`;
  if (check.destructive && target.provider === 'url' && !allowDestructive)
    return `destructive: ${check.destructive}; run on a REDIS_TARGETS server only with --allow-destructive`;
  const missing = (check.requires ?? []).filter((c) => !target.capabilities[c]);
  return missing.length ? `capability missing: ${missing.map((c) => CAPABILITY_LABELS[c]).join(', ')}` : undefined;
}
