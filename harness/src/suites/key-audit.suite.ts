/**
 * The key audit on every target: a keyspace seeded with known content gives exact counts, bytes per prefix equal
 * to the server's own MEMORY USAGE, the right keys without TTL, big keys and findings; capability-bound rules say
 * why they did not run; a cluster has every master scanned exactly once; no KEYS is ever sent; the output
 * validates against key-audit-schema.json; a read-only ACL user can run it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeClient, connect, parseInfo, type RedisClient } from '@redis-agent-kit/patterns';
import { type AuditOptions, type AuditReport, auditKeyspace } from '@redis-agent-kit/patterns/audit';
import { masters } from '@redis-agent-kit/patterns/cluster';
import { Cluster } from 'ioredis';
import { defineSuite } from '../matrix/suite.ts';
import { targetConnection } from '../targets/describe.ts';
import {
  dropKeyspace,
  expectedByPrefix,
  LIST_LENGTH,
  READER_ACL,
  type Seeded,
  schemaErrors,
  seedKeyspace,
} from './key-audit-fixtures.ts';

const DEPTH = 5;

/** Audits the seeded keys only (MATCH), deep enough for every prefix, with exact sizes and the list a finding. */
function auditSeeded(client: RedisClient, seeded: Seeded, options: AuditOptions = {}): Promise<AuditReport> {
  return auditKeyspace(client, {
    match: seeded.match,
    prefixDepth: DEPTH,
    memorySamples: 0,
    largeCollectionLength: LIST_LENGTH - 1,
    ...options,
  });
}

/** Seeds, audits the seeded keys only, and always cleans up. */
async function withSeededAudit(
  client: RedisClient,
  prefix: string,
  run: (seeded: Seeded, report: AuditReport) => Promise<void> | void,
  options: AuditOptions = {},
  auditor: RedisClient = client,
): Promise<void> {
  const seeded = await seedKeyspace(client, prefix);
  try {
    const report = await auditSeeded(auditor, seeded, { scanCount: 100, ...options });
    await run(seeded, report);
  } finally {
    await dropKeyspace(client, seeded);
  }
}

function findNode(report: AuditReport, prefix: string) {
  let node = report.prefixes;
  const segments = prefix.split(':');
  for (let i = 1; i <= segments.length; i++) {
    const next = node.children?.find((c) => c.prefix === segments.slice(0, i).join(':'));
    assert.ok(next, `prefix ${segments.slice(0, i).join(':')} in the report`);
    node = next;
  }
  return node;
}

function finding(report: AuditReport, rule: string) {
  return report.findings.find((f) => f.rule === rule);
}

async function commandCalls(client: RedisClient, command: string): Promise<number> {
  let calls = 0;
  for (const node of masters(client)) {
    const stats = parseInfo(String(await node.info('commandstats')));
    calls += Number(/calls=(\d+)/.exec(stats[`cmdstat_${command}`] ?? '')?.[1] ?? 0);
  }
  return calls;
}

export default defineSuite({
  id: 'key-audit',
  title: 'Key namespace audit (SCAN, MEMORY USAGE, findings)',
  checks: [
    {
      name: 'seeded keyspace: exact counts, bytes per prefix = MEMORY USAGE, TTL-less and big keys',
      async run({ client, prefix }) {
        await withSeededAudit(client, prefix, (seeded, report) => {
          const total = seeded.keys.reduce((sum, k) => sum + k.bytes, 0);
          assert.equal(report.totals.scanned, seeded.keys.length);
          assert.equal(report.totals.bytes, total);
          assert.equal(report.bytesSource, 'memory-usage');
          assert.equal(report.totals.sampled, false);
          assert.ok(report.totals.dbsize >= seeded.keys.length, `DBSIZE ${report.totals.dbsize}`);
          for (const [p, expected] of expectedByPrefix(seeded.keys, DEPTH)) {
            const node = findNode(report, p);
            assert.deepEqual({ keys: node.keys, bytes: node.bytes }, expected, `prefix ${p}`);
          }
          const types = Object.fromEntries(Object.entries(report.types).map(([t, v]) => [t, v.keys]));
          assert.deepEqual(types, { string: seeded.keys.length - 2, list: 1, hash: 1 });

          const withoutTtl = seeded.keys.filter((k) => !k.hasTtl);
          assert.equal(report.withoutTtl.keys, withoutTtl.length);
          assert.equal(
            report.withoutTtl.bytes,
            withoutTtl.reduce((sum, k) => sum + k.bytes, 0),
          );
          const noTtlNames = new Set(withoutTtl.map((k) => k.key));
          for (const sample of report.withoutTtl.samples) assert.ok(noTtlNames.has(sample), `${sample} has no TTL`);
          assert.deepEqual(
            report.withoutTtl.topPrefixes.map((p) => p.prefix).sort(),
            [...new Set(withoutTtl.map((k) => k.prefix))].sort(),
          );

          const big = seeded.keys.filter((k) => k.bytes >= 10 * 1024).sort((a, b) => b.bytes - a.bytes);
          assert.deepEqual(
            report.bigKeys.top.map((k) => k.key),
            big.map((k) => k.key),
          );
          assert.equal(report.bigKeys.top[0]?.key, seeded.hugeKey);
          assert.equal(report.bigKeys.top[1]?.key, seeded.bigStringKey);
        });
      },
    },
    {
      name: 'a read-only script per slice and pipelined commands give the same report',
      async run({ client, prefix, note }) {
        await withSeededAudit(client, prefix, async (seeded, scripted) => {
          assert.equal(scripted.inspection, 'script');
          const pipelined = await auditSeeded(client, seeded, { useScripts: false });
          assert.equal(pipelined.inspection, 'pipeline');
          const comparable = (r: AuditReport) => ({
            totals: { ...r.totals, dbsize: 0, commands: 0 },
            prefixes: r.prefixes,
            types: r.types,
            // TTLs tick between the two audits.
            bigKeys: { ...r.bigKeys, top: r.bigKeys.top.map(({ ttlMs, ...k }) => ({ ...k, hasTtl: ttlMs >= 0 })) },
            // Which keys are kept as samples depends on the order the masters answer in.
            findings: r.findings.map(({ keys: _keys, ...f }) => f),
          });
          assert.deepEqual(comparable(pipelined), comparable(scripted));
          note('script = pipeline');
        });
      },
    },
    {
      name: 'findings: huge value, large collection, no namespace; capability rules run or say why not',
      async run({ client, prefix, target, note }) {
        await withSeededAudit(client, prefix, (seeded, report) => {
          assert.deepEqual(finding(report, 'huge-value')?.keys, [seeded.hugeKey]);
          assert.deepEqual(finding(report, 'large-collection')?.keys, [seeded.listKey]);
          assert.deepEqual(finding(report, 'no-namespace')?.keys, [seeded.plainKey]);
          for (const f of report.findings) assert.ok(f.fix.length > 20, `${f.rule} says how to fix it`);

          const emulation = finding(report, 'hash-field-ttl-emulation');
          const emulationRule = report.rules.find((r) => r.rule === 'hash-field-ttl-emulation');
          if (target.capabilities.hashFieldTtl) {
            assert.equal(emulation?.count, 20);
            assert.deepEqual(emulation?.prefixes, [`${prefix}:profile:*:{email,name}`]);
            note('HEXPIRE rule ran');
          } else {
            assert.equal(emulation, undefined);
            assert.equal(emulationRule?.applied, false);
            assert.match(emulationRule?.reason ?? '', /HEXPIRE/);
            note('no HEXPIRE: rule skipped, said');
          }
          const jsonRule = report.rules.find((r) => r.rule === 'json-string');
          if (target.capabilities.json) {
            assert.equal(finding(report, 'json-string')?.prefixes?.[0], `${prefix}:cache:product:*`);
            note('JSON rule ran');
          } else {
            assert.equal(jsonRule?.applied, false);
            assert.match(jsonRule?.reason ?? '', /JSON\.SET/);
            note('no JSON: rule skipped, said');
          }
        });
      },
    },
    {
      name: 'never sends KEYS: INFO commandstats shows SCAN calls and no new KEYS calls',
      async run({ client, prefix }) {
        const keysBefore = await commandCalls(client, 'keys');
        const scansBefore = await commandCalls(client, 'scan');
        await withSeededAudit(client, prefix, async (_seeded, report) => {
          assert.equal(await commandCalls(client, 'keys'), keysBefore, 'KEYS calls during the audit');
          const scans = report.nodes.reduce((sum, n) => sum + n.scanCalls, 0);
          assert.ok((await commandCalls(client, 'scan')) - scansBefore >= scans, 'SCAN calls counted by the server');
        });
      },
    },
    {
      name: 'cluster: every master scanned exactly once, each for the keys in its slots',
      topology: 'cluster',
      async run({ client, prefix }) {
        assert.ok(client instanceof Cluster);
        const slots = (await client.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
        const masterOf = (slot: number) => {
          const range = slots.find(([from, to]) => slot >= from && slot <= to);
          return `${range?.[2][0]}:${range?.[2][1]}`;
        };
        await withSeededAudit(client, prefix, async (seeded, report) => {
          const expected = new Map<string, number>();
          for (const { key } of seeded.keys) {
            const master = masterOf((await client.cluster('KEYSLOT', key)) as number);
            expected.set(master, (expected.get(master) ?? 0) + 1);
          }
          const mastersInSlots = new Set(slots.map(([, , [host, port]]) => `${host}:${port}`));
          assert.deepEqual(new Set(report.nodes.map((n) => n.node)), mastersInSlots);
          assert.equal(report.nodes.length, mastersInSlots.size, 'each master once');
          for (const node of report.nodes) assert.equal(node.scanned, expected.get(node.node) ?? 0, node.node);
          assert.equal(report.server.cluster, true);
        });
      },
    },
    {
      name: 'the report validates against key-audit-schema.json',
      async run({ client, prefix }) {
        await withSeededAudit(client, prefix, async (_seeded, report) => {
          const document = { instances: [{ target: report.target, ok: true, report }] };
          assert.equal(schemaErrors(document), undefined);
          assert.match(String(schemaErrors({ instances: [{ target: 'x', ok: true }] })), /report/);
        });
      },
    },
    {
      name: 'a read-only ACL user audits the same keys; without MEMORY USAGE sizes become estimates',
      // ACL users are per node, and a read-only user of a cluster also needs CLUSTER SLOTS: one server only.
      topology: 'standalone',
      destructive: 'creates and deletes an ACL user',
      async run({ client, prefix, target, note }) {
        const user = `rak-audit-reader-${randomBytes(4).toString('hex')}`;
        const password = randomBytes(12).toString('hex');
        const auditAsReader = async (extra: string[], check: (seeded: Seeded, report: AuditReport) => void) => {
          await client.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...READER_ACL, ...extra);
          const reader = await connect({ ...targetConnection(target), username: user, password, readyCheck: false });
          try {
            await withSeededAudit(client, `${prefix}:${extra.length ? 'limited' : 'reader'}`, check, {}, reader);
          } finally {
            await closeClient(reader);
          }
        };
        try {
          await auditAsReader([], (seeded, report) => {
            assert.equal(report.totals.scanned, seeded.keys.length);
            assert.equal(report.bytesSource, 'memory-usage');
            assert.equal(
              report.totals.bytes,
              seeded.keys.reduce((sum, k) => sum + k.bytes, 0),
            );
            assert.equal(report.server.kind, target.capabilities.server);
            assert.ok(report.notes.some((n) => /HELLO/.test(n)));
            assert.equal(report.inspection, 'pipeline');
            assert.ok(report.notes.some((n) => /script was refused \(NOPERM/.test(n)));
          });
          note('read-only ACL: HELLO + pipeline');
          await auditAsReader(['-memory'], (seeded, report) => {
            assert.equal(report.totals.scanned, seeded.keys.length);
            assert.equal(report.bytesSource, 'estimate');
            assert.ok(report.notes.some((n) => /MEMORY USAGE is not allowed/.test(n)));
            const huge = report.bigKeys.top[0];
            assert.equal(huge?.key, seeded.hugeKey);
            assert.equal(huge?.bytes, Buffer.byteLength(seeded.hugeKey) + 150 * 1024);
          });
        } finally {
          await client.call('ACL', 'DELUSER', user);
        }
      },
    },
  ],
});
