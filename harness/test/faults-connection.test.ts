/** The connection factory's client under a restart and a freeze of a private standalone server. */
import { describe, expect, it } from 'vitest';
import connectionPause from '../src/faults/connection-pause.fault.ts';
import connectionRestart from '../src/faults/connection-restart.fault.ts';
import { runFaultScenario } from '../src/faults/run.ts';
import type { FaultResult, FaultScenario } from '../src/faults/scenario.ts';

async function passing(scenario: FaultScenario): Promise<FaultResult> {
  const result = await runFaultScenario(scenario);
  if (result.status === 'fail') throw result.error ?? new Error(result.reason);
  expect(result.numbers.unhandledRejections).toBe(0);
  return result;
}

describe('fault: standalone server', () => {
  it('restart: every command while down fails with an error naming the connection, the same client recovers', async () => {
    const { numbers, notes } = await passing(connectionRestart);
    expect(numbers.errorsWhileDown).toBe(numbers.commandsWhileDown);
    expect(numbers.recoverMs).toBeGreaterThanOrEqual(0);
    expect(numbers.keysSurvived).toBe(0);
    expect(notes.some((n) => n.startsWith('while down: '))).toBe(true);
  });

  it('pause: commands with a timeout fail while frozen, replies stay matched after resume', async () => {
    const { numbers, notes } = await passing(connectionPause);
    expect(numbers.timeoutsWhilePaused).toBe(numbers.commandsWhilePaused);
    expect(numbers.untimedAnsweredWhilePaused).toBe(0);
    expect(notes.join('\n')).toMatch(/timed out/i);
  });
});
