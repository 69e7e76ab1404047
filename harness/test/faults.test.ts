/**
 * The reliability lane: every fault scenario under harness/src/faults/ on its own private servers. A scenario
 * throws when the behaviour is not what it promises, so a new workflow's scenario file is tested here unchanged.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFaultScenario } from '../src/faults/run.ts';
import { defineFaultScenario, loadFaultScenarios } from '../src/faults/scenario.ts';
import type { LocalServer } from '../src/targets/local-server.ts';

const scenarios = await loadFaultScenarios();

describe('fault scenarios', () => {
  it('discovers the scenario files with unique ids', () => {
    const ids = scenarios.map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'cluster-failover',
        'connection-pause',
        'connection-restart',
        'key-audit-instance-down',
        'products-cache-l1-pause',
        'products-cache-pause',
        'products-cache-restart',
        'rate-limiter-outage',
        'vector-search-restart',
      ]),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const scenario of scenarios) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      const result = await runFaultScenario(scenario);
      if (result.status === 'fail') throw result.error ?? new Error(result.reason);
      expect(result.numbers.unhandledRejections).toBe(0);
    });
  }
});

describe('runFaultScenario', () => {
  it('reports a failing scenario with its reason and still stops the servers it started', async () => {
    let server: LocalServer | undefined;
    const result = await runFaultScenario(
      defineFaultScenario({
        id: 'always-fails',
        workflow: 'test',
        fault: 'stop',
        title: 'fails after starting a server',
        async run(ctx) {
          server = await ctx.startServer();
          throw new Error('expected behaviour not seen');
        },
      }),
    );
    expect(result).toMatchObject({ status: 'fail', reason: 'expected behaviour not seen', numbers: {} });
    expect(server?.running).toBe(false);
    expect(existsSync(server?.dir ?? '')).toBe(false);
  });
});
