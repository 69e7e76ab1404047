/** Starts the targets once per test run and hands their descriptions to the test workers. */
import type { TestProject } from 'vitest/node';
import { crashes, startTargets, type TargetInfo, targetInfo } from '../targets/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    targets: TargetInfo[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startTargets((line) => console.log(line));
  project.provide('targets', started.targets.map(targetInfo));
  return async () => {
    await started.stop();
    // A crashed target fails every later test on it with "connection refused"; its own report says why.
    for (const report of crashes) console.error(`\n[targets] a target crashed during this run:\n${report}`);
  };
}
