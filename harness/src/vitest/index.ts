/** Test helpers: the targets started by the global setup, and the binding of conformance suites to vitest. */
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, describe, inject, it } from 'vitest';
import { allowDestructiveFromEnv, whyNotRun } from '../matrix/applicability.ts';
import { runCheck, type WorkflowSuite } from '../matrix/suite.ts';
import { targetConnection } from '../targets/describe.ts';
import type { TargetInfo, TargetName } from '../targets/types.ts';

export function targets(): TargetInfo[] {
  return inject('targets');
}

export function target(name: TargetName): TargetInfo {
  const found = targets().find((t) => t.name === name);
  if (!found) throw new Error(`target ${name} was not started (RAK_TARGETS=${process.env.RAK_TARGETS ?? ''})`);
  return found;
}

/** A client to a target, closed after the current test file. */
export async function clientFor(t: TargetInfo): Promise<RedisClient> {
  const client = await connect(targetConnection(t));
  afterAll(() => closeClient(client));
  return client;
}

/**
 * One `describe` per target and one test per check that applies there (a check for another topology has none); a
 * missing capability or a destructive check on a REDIS_TARGETS server is a named skip.
 */
export function conformanceTests(suite: WorkflowSuite): void {
  const allowDestructive = allowDestructiveFromEnv();
  describe(`${suite.id} conformance`, () => {
    for (const t of targets()) {
      describe(t.name, () => {
        for (const check of suite.checks) {
          const skip = whyNotRun(check, t, allowDestructive);
          if (skip?.startsWith('not run on')) continue;
          it(check.name, async (ctx) => {
            if (skip) return ctx.skip(skip);
            const result = await runCheck(suite, check, t, { allowDestructive });
            if (result.status === 'skip') return ctx.skip(result.reason);
            if (result.status === 'fail') throw result.error;
          });
        }
      });
    }
  });
}
