/**
 * The key audit of several instances (examples/key-audit's `auditInstances`, what `redis-key-audit --url … --url …`
 * runs, over packages/patterns/src/audit) when instances die: one is killed before the audit starts, one while it
 * is being scanned. Each dead instance gets one clear error with its password redacted; the healthy instance is
 * still audited, with exact counts of the keyspace seeded on it.
 */
import assert from 'node:assert/strict';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { parseCliArgs } from '../../../examples/key-audit/src/args.ts';
import { auditInstances } from '../../../examples/key-audit/src/cli.ts';
import { seedKeyspace } from '../suites/key-audit-fixtures.ts';
import type { LocalServer } from '../targets/local-server.ts';
import { firstScanAnswered } from './key-audit-first-scan.ts';
import { settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const PASSWORD = 'audit-s3cret';
/**
 * Keys on the instance killed mid-audit. The ops cap counts about four commands per key, so its whole audit would
 * take about 4 s: the kill lands well inside it.
 */
const DYING_KEYS = 2000;
const MAX_OPS = 2000;
const SCAN_COUNT = 100;

/** The instance's URL with a password (the default user has none, so any password is accepted). */
const withPassword = (server: LocalServer) => server.url.replace('redis://', `redis://default:${PASSWORD}@`);

/** Kills `server` as soon as it has answered the audit's first SCAN, so the kill lands in the middle of the scan. */
async function killOnFirstScan(server: LocalServer, watcher: RedisClient): Promise<void> {
  await firstScanAnswered(watcher, server.url);
  await server.kill();
}

export default defineFaultScenario({
  id: 'key-audit-instance-down',
  workflow: 'key-audit',
  fault: 'kill',
  title: 'Audit of three instances, two killed (before and during)',
  async run({ startServer, connect, prefix, note }) {
    const [dead, dying, healthy] = await Promise.all([startServer(), startServer(), startServer()]);
    const seeded = await seedKeyspace(await connect(healthy), prefix);
    const dyingClient = await connect(dying);
    const bulk = dyingClient.pipeline();
    for (let i = 0; i < DYING_KEYS; i++) bulk.set(`${prefix}:bulk:${i}`, 'v', 'EX', 600);
    await bulk.exec();
    const watcher = await connect(dying, { offlineQueue: false, maxRetriesPerRequest: 0 });

    await dead.kill();
    const options = parseCliArgs(
      [
        ...[dead, dying, healthy].flatMap((s) => ['--url', withPassword(s)]),
        '--match',
        seeded.match,
        '--max-ops',
        String(MAX_OPS),
        '--scan-count',
        String(SCAN_COUNT),
        '--timeout',
        '2000',
      ],
      {},
      false,
    );
    const killed = killOnFirstScan(dying, watcher);
    killed.catch(() => {}); // awaited below, after the audit
    const audit = await settleWithin(auditInstances(options), 30_000, 'the audit of three instances');
    await killed;
    if (!audit.ok) throw new Error(`the audit rejected instead of reporting each instance: ${audit.error.message}`);
    const [deadResult, dyingResult, healthyResult] = audit.value;
    assert.equal(audit.value.length, 3, 'one result per instance');

    for (const [what, result, says] of [
      ['killed before the audit', deadResult, /^Cannot connect to .*ECONNREFUSED/],
      ['killed during the audit', dyingResult, /^lost the connection during the audit/],
    ] as const) {
      assert.ok(result && !result.ok, `the instance ${what} is reported as failed`);
      assert.ok(!result.target.includes(PASSWORD) && !result.error.includes(PASSWORD), 'the password is redacted');
      assert.match(result.target, /127\.0\.0\.1:\d+/, 'the failure names the instance');
      assert.match(result.error, says, `the error of the instance ${what} says what happened`);
      assert.equal(result.error.split('\n').length, 1, 'one error line per failed instance');
      note(`${what}: ${result.error}`);
    }

    assert.ok(healthyResult?.ok, `the healthy instance is audited: ${healthyResult?.ok ? '' : healthyResult?.error}`);
    const { totals, types } = healthyResult.report;
    assert.equal(totals.dbsize, seeded.keys.length, 'DBSIZE of the healthy instance');
    assert.equal(totals.scanned, seeded.keys.length, 'every seeded key inspected');
    assert.equal(totals.keysWithoutTtl, seeded.keys.filter((k) => !k.hasTtl).length, 'keys without TTL');
    const byType: Record<string, number> = {};
    for (const key of seeded.keys) byType[key.type] = (byType[key.type] ?? 0) + 1;
    assert.deepEqual(
      Object.fromEntries(Object.entries(types).map(([type, t]) => [type, t.keys])),
      byType,
      'keys by type',
    );
    return {
      numbers: {
        instances: audit.value.length,
        failed: audit.value.filter((r) => !r.ok).length,
        completed: audit.value.filter((r) => r.ok).length,
        keysAudited: totals.scanned,
        keysSeeded: seeded.keys.length,
        auditMs: Math.round(audit.ms),
      },
    };
  },
});
