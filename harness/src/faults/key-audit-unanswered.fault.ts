/**
 * The key audit of several instances (what `redis-key-audit --url … --url … --timeout 1000` runs) when instances
 * stop answering without closing their sockets: a port that accepts connections and never replies, and a server
 * frozen (SIGSTOP) in the middle of its scan. Each ends with one clear error naming it, within the command deadline,
 * and the healthy instance is still audited with exact counts.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { parseCliArgs } from '../../../examples/key-audit/src/args.ts';
import { auditInstances } from '../../../examples/key-audit/src/cli.ts';
import { seedKeyspace } from '../suites/key-audit-fixtures.ts';
import { freePort } from '../targets/ports.ts';
import { firstScanAnswered } from './key-audit-first-scan.ts';
import { settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const DEADLINE_MS = 1000;
/** Keys on the instance frozen mid-audit; at MAX_OPS its audit takes seconds, so the freeze lands inside it. */
const FROZEN_KEYS = 2000;
const MAX_OPS = 2000;

export default defineFaultScenario({
  id: 'key-audit-unanswered',
  workflow: 'key-audit',
  fault: 'pause',
  title: 'Audit of three instances: a silent port and a server frozen mid-scan end within the deadline',
  async run({ startServer, connect, prefix, note }) {
    // Accepts every connection and never writes a byte.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    const silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
    try {
      const [frozen, healthy] = await Promise.all([startServer(), startServer()]);
      const seeded = await seedKeyspace(await connect(healthy), prefix);
      const frozenClient = await connect(frozen);
      const bulk = frozenClient.pipeline();
      for (let i = 0; i < FROZEN_KEYS; i++) bulk.set(`${prefix}:bulk:${i}`, 'v', 'EX', 600);
      await bulk.exec();
      const watcher = await connect(frozen, { offlineQueue: false, maxRetriesPerRequest: 0 });

      const options = parseCliArgs(
        [
          ...[`redis://127.0.0.1:${silentPort}`, frozen.url, healthy.url].flatMap((url) => ['--url', url]),
          '--match',
          seeded.match,
          '--max-ops',
          String(MAX_OPS),
          '--scan-count',
          '100',
          '--timeout',
          String(DEADLINE_MS),
        ],
        {},
        false,
      );
      const frozenMidScan = firstScanAnswered(watcher, frozen.url).then(() => frozen.pause());
      frozenMidScan.catch(() => {}); // awaited below, after the audit
      const audit = await settleWithin(auditInstances(options), 30_000, 'the audit of three instances');
      await frozenMidScan;
      frozen.resume();
      if (!audit.ok) throw new Error(`the audit rejected instead of reporting each instance: ${audit.error.message}`);
      const [silentResult, frozenResult, healthyResult] = audit.value;
      assert.equal(audit.value.length, 3, 'one result per instance');

      for (const [what, result, says] of [
        [
          'silent port',
          silentResult,
          new RegExp(`^no answer to (the connection handshake|HELLO) within ${DEADLINE_MS} ms`),
        ],
        [
          'frozen mid-scan',
          frozenResult,
          new RegExp(`^127\\.0\\.0\\.1:${frozen.port}: .* got no answer within ${DEADLINE_MS} ms`),
        ],
      ] as const) {
        assert.ok(result && !result.ok, `the ${what} instance is reported as failed`);
        assert.match(result.error, says, `the error of the ${what} instance says what happened`);
        assert.equal(result.error.split('\n').length, 1, 'one error line per failed instance');
        note(`${what}: ${result.error}`);
      }
      assert.ok(healthyResult?.ok, `the healthy instance is audited: ${healthyResult?.ok ? '' : healthyResult?.error}`);
      assert.equal(healthyResult.report.totals.scanned, seeded.keys.length, 'every seeded key inspected');
      assert.equal(
        healthyResult.report.totals.keysWithoutTtl,
        seeded.keys.filter((k) => !k.hasTtl).length,
        'keys without TTL',
      );
      return { numbers: { instances: 3, failed: 2, deadlineMs: DEADLINE_MS, auditMs: Math.round(audit.ms) } };
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  },
});
