/**
 * The conformance-suite registry. Each workflow adds one file under `harness/src/suites/` that default-exports
 * `defineSuite({...})`; the matrix (`npm run matrix`) and the tests (`conformanceTests(suite)` in a vitest file)
 * run the same checks on every target.
 */
import { randomBytes } from 'node:crypto';
import { importAll } from '../discover.ts';
import { join } from 'node:path';
import {
  CAPABILITY_LABELS,
  CapabilityMissingError,
  type CapabilityName,
  type ConnectionOptions,
  closeClient,
  connect,
  type RedisClient,
} from '@redis-agent-kit/patterns';
import { targetConnection } from '../targets/describe.ts';
import type { TargetInfo, TargetName } from '../targets/types.ts';
import { whyNotRun } from './applicability.ts';

export interface SuiteContext {
  target: TargetInfo;
  /** A client for this check, closed after it. */
  client: RedisClient;
  /** A unique key prefix for this check (`rak:<suite>:<random>`); checks isolate by it. */
  prefix: string;
  /** More clients to the same target (closed after the check). */
  connect(options?: Partial<ConnectionOptions>): Promise<RedisClient>;
  /** Records which path ran ("JSON codec", "fallback: string envelope"), shown in the matrix. */
  note(text: string): void;
}

/**
 * One conformance check. Where it runs is declared here, on the check, in its workflow's suite file, and decided
 * in one place (`whyNotRun` in applicability.ts), which `runCheck` applies: by what the target is (its shape and
 * probed capabilities, never its name, so a REDIS_TARGETS server of any name gets the checks its shape calls for)
 * and by whose it is (a destructive check stays off a server the harness did not start unless the user allows it).
 */
export interface Check {
  name: string;
  /** Capabilities the check needs; on a target without one it is skipped, and the skip names it. */
  requires?: CapabilityName[];
  /** Only on a cluster, or only on a single server (default: both); elsewhere it does not apply (shown as —). */
  topology?: 'cluster' | 'standalone';
  /**
   * What the check does to a server beyond keys under its prefix, e.g. `creates and deletes an ACL user`.
   * On a server the harness did not start, such a check runs only with `--allow-destructive`.
   */
  destructive?: string;
  run(ctx: SuiteContext): Promise<void>;
}

export interface WorkflowSuite {
  /** The workflow's folder name, e.g. `products-cache`: examples/<id>, packages/patterns/src/<module>. */
  id: string;
  title: string;
  checks: Check[];
}

export function defineSuite(suite: WorkflowSuite): WorkflowSuite {
  return suite;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  suite: string;
  target: TargetName;
  check: string;
  status: CheckStatus;
  /** Failure message, or the missing capability for a skip. */
  reason?: string;
  notes: string[];
  ms: number;
  /** The thrown error of a failure, for test runners (not written to reports). */
  error?: unknown;
}

/**
 * What a check's thrown error means. A CapabilityMissingError is a skip only when the target's probe agrees that
 * the capability is missing; on a target that has it, the pattern refused wrongly, and that is a failure.
 */
export function thrownResult(error: unknown, target: TargetInfo): { status: 'fail' | 'skip'; reason: string } {
  if (error instanceof CapabilityMissingError) {
    const label = CAPABILITY_LABELS[error.capability];
    if (!target.capabilities[error.capability]) return { status: 'skip', reason: `capability missing: ${label}` };
    return { status: 'fail', reason: `${target.name} has ${label} (probed), but the check refused: ${error.message}` };
  }
  return { status: 'fail', reason: error instanceof Error ? error.message : String(error) };
}

export interface RunOptions {
  /** Run destructive checks on a server the harness did not start too (`--allow-destructive`). */
  allowDestructive?: boolean;
}

/**
 * Runs one check on one target with its own clients and prefix, and always closes them; where the check does not
 * run (`whyNotRun`), the result is the skip with the reason, and nothing connects.
 */
export async function runCheck(
  suite: WorkflowSuite,
  check: Check,
  target: TargetInfo,
  options: RunOptions = {},
): Promise<CheckResult> {
  const base = { suite: suite.id, target: target.name, check: check.name, notes: [] as string[] };
  const skip = whyNotRun(check, target, options.allowDestructive ?? false);
  if (skip) return { ...base, status: 'skip', reason: skip, ms: 0 };
  const clients: RedisClient[] = [];
  const open = async (options: Partial<ConnectionOptions> = {}) => {
    const client = await connect({ ...targetConnection(target), ...options });
    clients.push(client);
    return client;
  };
  const started = performance.now();
  try {
    const ctx: SuiteContext = {
      target,
      client: await open(),
      prefix: `rak:${suite.id}:${randomBytes(4).toString('hex')}`,
      connect: open,
      note: (text) => {
        if (!base.notes.includes(text)) base.notes.push(text);
      },
    };
    await check.run(ctx);
    return { ...base, status: 'pass', ms: performance.now() - started };
  } catch (error) {
    const thrown = thrownResult(error, target);
    return { ...base, ...thrown, ...(thrown.status === 'fail' && { error }), ms: performance.now() - started };
  } finally {
    await Promise.all(clients.map(closeClient));
  }
}

const SUITES_DIR = join(import.meta.dirname, '..', 'suites');

/** Every suite file under harness/src/suites, in name order. */
export async function loadSuites(dir = SUITES_DIR): Promise<WorkflowSuite[]> {
  return (await importAll<WorkflowSuite>(dir, '.suite.ts')).map((m) => m.value);
}
