/**
 * Where a check runs: each check declares it in its own suite file (`topology`, `destructive`, `requires`), and one
 * rule (`whyNotRun`) decides it, applied by `runCheck` itself, so no caller can run a check where it does not
 * belong. No server: a check that does not run never connects.
 */
import { type Capabilities } from '@redis-agent-kit/patterns';
import { describe, expect, it } from 'vitest';
import { whyNotRun } from '../../src/matrix/applicability.ts';
import { type Check, defineSuite, loadSuites, runCheck } from '../../src/matrix/suite.ts';
import type { TargetInfo } from '../../src/targets/types.ts';

/** A target nothing listens on (port 1): a check that tried to connect there would fail, not skip. */
const target = (over: Partial<Omit<TargetInfo, 'capabilities'>>, caps: Partial<Capabilities> = {}): TargetInfo => ({
  name: 'prod',
  provider: 'url',
  url: 'redis://127.0.0.1:1',
  cluster: false,
  nodes: ['redis://127.0.0.1:1'],
  capabilities: {
    server: 'redis',
    version: '8.0.6',
    cluster: over.cluster ?? false,
    json: false,
    search: false,
    vectorSets: false,
    hashFieldTtl: false,
    ...caps,
  },
  pids: [],
  ...over,
});

describe('whyNotRun', () => {
  it('refuses a destructive check only on a server the harness did not start, unless allowed', () => {
    const check = { destructive: 'creates and deletes an ACL user' };
    const url = target({ provider: 'url' });
    expect(whyNotRun(check, url, false)).toMatch(/^destructive: creates .*--allow-destructive$/);
    expect(whyNotRun(check, url, true)).toBeUndefined();
    expect(whyNotRun(check, target({ provider: 'local' }), false)).toBeUndefined();
    expect(whyNotRun({}, url, false)).toBeUndefined();
  });

  it('runs a check for one topology on every target of that shape, whatever its name', () => {
    expect(whyNotRun({ topology: 'cluster' }, target({ cluster: true }), false)).toBeUndefined();
    expect(whyNotRun({ topology: 'cluster' }, target({ provider: 'local' }), false)).toBe('not run on a single server');
    expect(whyNotRun({ topology: 'standalone', destructive: 'x' }, target({ cluster: true }), true)).toBe(
      'not run on a cluster',
    );
  });

  it('names every capability a check needs and the target lacks', () => {
    const check = { requires: ['vectorSets', 'hashFieldTtl'] } satisfies Partial<Check>;
    expect(whyNotRun(check, target({}, { vectorSets: true, hashFieldTtl: true }), false)).toBeUndefined();
    expect(whyNotRun(check, target({}, { hashFieldTtl: true }), false)).toBe('capability missing: vector sets (VADD)');
  });
});

describe('runCheck applies where a check runs', () => {
  const ran: string[] = [];
  const suite = defineSuite({
    id: 'demo',
    title: 'demo',
    checks: [
      { name: 'cluster only', topology: 'cluster', run: async () => void ran.push('cluster only') },
      { name: 'acl', destructive: 'creates an ACL user', run: async () => void ran.push('acl') },
      { name: 'vectors', requires: ['vectorSets'], run: async () => void ran.push('vectors') },
    ],
  });
  const [clusterOnly, acl, vectors] = suite.checks as [Check, Check, Check];

  it('skips, without connecting, a check for another topology, a destructive one on a user server, a missing capability', async () => {
    const single = target({ provider: 'url' });
    expect(await runCheck(suite, clusterOnly, single)).toMatchObject({
      status: 'skip',
      reason: 'not run on a single server',
    });
    expect(await runCheck(suite, acl, single)).toMatchObject({ status: 'skip', reason: /^destructive: creates/ });
    expect(await runCheck(suite, vectors, single)).toMatchObject({
      status: 'skip',
      reason: 'capability missing: vector sets (VADD)',
    });
    expect(ran).toEqual([]);
  });

  it('does try a destructive check when allowed (here it cannot connect, so it fails: it was not skipped)', async () => {
    const result = await runCheck(suite, acl, target({ provider: 'url' }), { allowDestructive: true });
    expect(result.status).toBe('fail');
  });
});

describe('every workflow declares where its checks run in its own suite file', () => {
  it('with the fields of Check only (none by target name), a known topology and a said destructive effect', async () => {
    const suites = await loadSuites();
    expect(suites.length).toBeGreaterThan(5);
    for (const suite of suites) {
      for (const check of suite.checks) {
        const where = `${suite.id}: ${check.name}`;
        if (check.topology !== undefined) expect(['cluster', 'standalone'], where).toContain(check.topology);
        if (check.destructive !== undefined) expect(check.destructive.length, where).toBeGreaterThan(5);
        for (const key of Object.keys(check))
          expect(['name', 'run', 'requires', 'topology', 'destructive'], where).toContain(key);
      }
    }
  });
});
