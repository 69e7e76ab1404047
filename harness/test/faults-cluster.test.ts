/** Writes through the factory's cluster client during a master failover on a private cluster. */
import { describe, expect, it } from 'vitest';
import clusterFailover from '../src/faults/cluster-failover.fault.ts';
import { runFaultScenario } from '../src/faults/run.ts';

describe('fault: cluster failover', () => {
  it('keeps every acknowledged write on the surviving masters and after promotion, and recovers', async () => {
    const result = await runFaultScenario(clusterFailover);
    if (result.status === 'fail') throw result.error ?? new Error(result.reason);
    const { numbers } = result;
    expect(numbers.unhandledRejections).toBe(0);
    expect(numbers.lostOnOtherMasters).toBe(0);
    expect(numbers.acknowledged).toBeGreaterThan(60);
    expect(numbers.recoverMs).toBeGreaterThan(0);
    expect(numbers.failoverMs).toBeGreaterThan(0);
    // Whatever was lost on the failed master is part of the record, with a note saying so.
    expect(result.notes.some((n) => /acknowledged/.test(n))).toBe(true);
  });
});
