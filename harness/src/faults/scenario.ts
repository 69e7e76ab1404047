/**
 * The fault-scenario registry: the reliability lane of the matrix (`npm run matrix -- --faults`). Each scenario is
 * one file `harness/src/faults/<id>.fault.ts` default-exporting `defineFaultScenario({...})`. It starts its own
 * private servers through the context (never the shared targets), injects its fault, throws when the behaviour is
 * not what the workflow promises, and returns the numbers it measured (errors, time to recover, counts).
 * `harness/test/faults.test.ts` runs every scenario file it finds, so adding one needs no other change:
 *
 *   export default defineFaultScenario({
 *     id: 'products-cache-restart', workflow: 'products-cache', fault: 'restart',
 *     title: 'Cache serves from the origin while Redis restarts',
 *     async run({ startServer, connect, prefix }) {
 *       const server = await startServer();
 *       const client = await connect(server, { commandTimeoutMs: 500 });
 *       // … use the workflow, `await server.restart()` (or halt/kill/pause/resume), assert, measure …
 *       return { numbers: { errors, recoverMs } };
 *     },
 *   });
 */
import { importAll } from '../discover.ts';
import type { FaultContext } from './context.ts';

export type FaultKind = 'stop' | 'kill' | 'pause' | 'restart' | 'failover';

export interface FaultOutcome {
  /** What was measured, by name with its unit in the name: `errors`, `recoverMs`, `lostAcknowledged`. */
  numbers: Record<string, number>;
  notes?: string[];
}

export interface FaultScenario {
  /** Unique, e.g. `cluster-failover` or `products-cache-restart`. */
  id: string;
  /** The workflow (suite id) the scenario exercises, e.g. `connection`, `products-cache`. */
  workflow: string;
  fault: FaultKind;
  title: string;
  run(ctx: FaultContext): Promise<FaultOutcome>;
}

export function defineFaultScenario(scenario: FaultScenario): FaultScenario {
  return scenario;
}

export interface FaultResult {
  id: string;
  workflow: string;
  fault: FaultKind;
  title: string;
  status: 'pass' | 'fail';
  /** Why it failed. */
  reason?: string;
  numbers: Record<string, number>;
  notes: string[];
  ms: number;
  /** The thrown error of a failure, for test runners (not written to reports). */
  error?: unknown;
}

const FAULTS_DIR = import.meta.dirname;

/** Every scenario file under harness/src/faults, in name order. */
export async function loadFaultScenarios(dir = FAULTS_DIR): Promise<FaultScenario[]> {
  const scenarios: FaultScenario[] = [];
  for (const { file, value: scenario } of await importAll<FaultScenario>(dir, '.fault.ts')) {
    const clash = scenarios.find((s) => s.id === scenario.id);
    if (clash) throw new Error(`fault scenario id "${scenario.id}" in ${file} is already used: ids must be unique`);
    scenarios.push(scenario);
  }
  return scenarios;
}
