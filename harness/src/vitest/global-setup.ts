/** Starts the targets once per test run and hands their descriptions to the test workers. */
import type { TestProject } from 'vitest/node';
import { startTargets, type TargetInfo, targetInfo } from '../targets/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    targets: TargetInfo[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startTargets((line) => console.log(line));
  project.provide('targets', started.targets.map(targetInfo));
  return () => started.stop();
}
