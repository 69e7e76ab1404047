/** Runs fault scenarios one after another (they start servers and measure recovery, so never in parallel). */
import { faultContext } from './context.ts';
import type { FaultResult, FaultScenario } from './scenario.ts';

/** Runs one scenario, always stopping what it started; an unhandled rejection during the run fails it. */
export async function runFaultScenario(scenario: FaultScenario): Promise<FaultResult> {
  const notes: string[] = [];
  const base = { id: scenario.id, workflow: scenario.workflow, fault: scenario.fault, title: scenario.title, notes };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const { ctx, cleanup } = faultContext(scenario.id, notes);
  const started = performance.now();
  let result: FaultResult;
  try {
    const outcome = await scenario.run(ctx);
    for (const note of outcome.notes ?? []) ctx.note(note);
    result = { ...base, status: 'pass', numbers: { ...outcome.numbers }, ms: 0 };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    result = { ...base, status: 'fail', reason, error, numbers: {}, ms: 0 };
  } finally {
    await cleanup();
  }
  // Rejections surface on a later tick; give them one before counting.
  await new Promise((r) => setImmediate(r));
  process.off('unhandledRejection', onUnhandled);
  result.numbers.unhandledRejections = unhandled.length;
  if (unhandled.length && result.status === 'pass') {
    const first = unhandled[0] instanceof Error ? unhandled[0].message : String(unhandled[0]);
    result = { ...result, status: 'fail', reason: `${unhandled.length} unhandled rejection(s), first: ${first}` };
  }
  result.ms = performance.now() - started;
  return result;
}

export async function runFaultLane(
  scenarios: FaultScenario[],
  onProgress: (text: string) => void = () => {},
): Promise<FaultResult[]> {
  const results: FaultResult[] = [];
  for (const scenario of scenarios) {
    onProgress(`[faults] ${results.length + 1}/${scenarios.length} ${scenario.id}`);
    results.push(await runFaultScenario(scenario));
  }
  return results;
}
