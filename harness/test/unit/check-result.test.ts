/**
 * How the matrix reads a check's thrown error: a pattern that refuses for a missing capability is a skip only
 * where the target's probe agrees, so a regression on a server that has the capability shows as a failure.
 */
import { type Capabilities, CapabilityMissingError } from '@redis-agent-kit/patterns';
import { describe, expect, it } from 'vitest';
import { thrownResult } from '../../src/matrix/suite.ts';
import type { TargetInfo } from '../../src/targets/types.ts';

const target = (name: TargetInfo['name'], capabilities: Partial<Capabilities>): TargetInfo => ({
  name,
  provider: 'local',
  url: 'redis://127.0.0.1:1',
  cluster: false,
  nodes: ['redis://127.0.0.1:1'],
  capabilities: {
    server: 'redis',
    version: '8.0.2',
    cluster: false,
    json: false,
    search: false,
    vectorSets: false,
    hashFieldTtl: false,
    ...capabilities,
  },
  pids: [],
});

describe('thrownResult', () => {
  const refusal = new CapabilityMissingError('vectorSets', 'redis 8.0.2');

  it('skips, naming the capability, on a target whose probe found no such capability', () => {
    expect(thrownResult(refusal, target('valkey-8.1', { server: 'valkey', vectorSets: false }))).toEqual({
      status: 'skip',
      reason: 'capability missing: vector sets (VADD)',
    });
  });

  it('fails on a target whose probe found the capability the pattern says is missing', () => {
    const result = thrownResult(refusal, target('redis-8', { vectorSets: true }));
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(
      /redis-8 has vector sets \(VADD\) \(probed\), but the check refused: redis 8\.0\.2 has no/,
    );
  });

  it('fails with the message of any other error', () => {
    expect(thrownResult(new Error('read back failed'), target('redis-8', {}))).toEqual({
      status: 'fail',
      reason: 'read back failed',
    });
  });
});
