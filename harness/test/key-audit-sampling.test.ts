/**
 * Sampling on a private server (its DBSIZE is known, unlike the shared targets'): a 10% sample's estimates for
 * each prefix agree with the exact audit of the same keyspace within their stated 95% intervals (checked at
 * twice the margin, about four standard errors, so the test fails only when the estimator is wrong).
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { type AuditReport, auditKeyspace, type PrefixNode } from '@redis-agent-kit/patterns/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalServer } from '../src/targets/local-server.ts';

const A_KEYS = 15_000;
const B_KEYS = 5_000;
const SAMPLE = 2_000;

function child(report: AuditReport, prefix: string): PrefixNode {
  const node = report.prefixes.children?.find((c) => c.prefix === prefix);
  if (!node) throw new Error(`no prefix ${prefix}`);
  return node;
}

describe('key audit sampling', () => {
  let server: LocalServer;
  let exact: AuditReport;
  let sampled: AuditReport;

  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    const client = await connect({ url: server.url });
    try {
      for (let start = 0; start < A_KEYS + B_KEYS; start += 1000) {
        const p = client.pipeline();
        for (let i = start; i < start + 1000; i++) {
          // Varied sizes so the byte estimate has a real variance to state.
          if (i < A_KEYS) p.set(`a:item:${i}`, 'x'.repeat(50 + (i % 200)));
          else p.set(`b:item:${i}`, 'y'.repeat(1000 + (i % 500)), 'EX', 600);
        }
        await p.exec();
      }
      exact = await auditKeyspace(client);
      sampled = await auditKeyspace(client, { sampleKeys: SAMPLE });
    } finally {
      await closeClient(client);
    }
  });
  afterAll(() => server?.stop());

  it('inspects the sample size and says it sampled', () => {
    expect(exact.totals.sampled).toBe(false);
    expect(exact.totals.scanned).toBe(A_KEYS + B_KEYS);
    expect(sampled.totals.sampled).toBe(true);
    expect(sampled.totals.scanned).toBe(SAMPLE);
    expect(sampled.totals.dbsize).toBe(A_KEYS + B_KEYS);
    expect(sampled.totals.estimatedKeys).toEqual({
      value: A_KEYS + B_KEYS,
      low: A_KEYS + B_KEYS,
      high: A_KEYS + B_KEYS,
    });
    expect(sampled.notes.join(' ')).toMatch(/sampled 2000 of 20000 keys/);
  });

  it.each(['a', 'b'])('estimates keys and bytes under %s: within the stated interval of the exact audit', (prefix) => {
    const truth = child(exact, prefix);
    const estimate = child(sampled, prefix);
    for (const [value, est] of [
      [truth.keys, estimate.estimatedKeys],
      [truth.bytes, estimate.estimatedBytes],
    ] as const) {
      const margin = (est?.high ?? 0) - (est?.value ?? 0);
      expect(margin).toBeGreaterThan(0);
      expect(Math.abs((est?.value ?? 0) - value)).toBeLessThanOrEqual(2 * margin);
    }
  });
});
