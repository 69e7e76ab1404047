/**
 * The key audit on every target: a keyspace seeded with known content gives exact counts, bytes per prefix equal
 * to the server's own MEMORY USAGE, the right keys without TTL, big keys and findings; capability-bound rules say
 * why they did not run; a cluster has every master scanned exactly once; no KEYS is ever sent; the output
 * validates against key-audit-schema.json; a read-only ACL user can run it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeClient, connect, parseInfo, type RedisClient } from '@redis-agent-kit/patterns';
import {
  type AuditOptions,
  type AuditReport,
  auditKeyspace,
  displayKeyName,
  keyNameBytes,
  type PrefixNode,
} from '@redis-agent-kit/patterns/audit';
import { type Command, command, masters, orThrow, sendBatch, withKeys } from '@redis-agent-kit/patterns/cluster';
import { Cluster } from 'ioredis';
import { defineSuite } from '../matrix/suite.ts';
import { targetConnection } from '../targets/describe.ts';
import {
  dropKeyspace,
  dropOddNames,
  expectedByPrefix,
  LIST_LENGTH,
  READER_ACL,
  type Seeded,
  schemaErrors,
  seedKeyspace,
  seedOddNames,
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

/** Every prefix in the tree below the root. */
function allPrefixes(node: PrefixNode): string[] {
  return (node.children ?? []).flatMap((child) => [child.prefix, ...allPrefixes(child)]);
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
          assert.ok((report.totals.dbsize ?? 0) >= seeded.keys.length, `DBSIZE ${report.totals.dbsize}`);
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
      name: 'names as bytes: not UTF-8, control characters, a leading separator: exact totals, escaped names',
      async run({ client, prefix, note }) {
        const seeded = await seedOddNames(client, prefix);
        try {
          for (const useScripts of [true, false]) {
            const report = await auditKeyspace(client, {
              match: seeded.match,
              memorySamples: 0,
              scanCount: 100,
              useScripts,
            });
            const how = useScripts ? 'script' : 'pipeline';
            assert.equal(report.totals.scanned, seeded.keys.length, `every key inspected (${how})`);
            assert.equal(report.totals.vanished, 0, `no key lost to a lossy name (${how})`);
            assert.equal(
              report.totals.bytes,
              seeded.keys.reduce((sum, k) => sum + k.memory, 0),
              `bytes (${how})`,
            );
            const shown = seeded.keys.map((k) => displayKeyName(k.bytes));
            assert.equal(new Set(shown).size, seeded.keys.length, 'every name shown differently');
            // Every key is without TTL: the samples are names as shown, and each maps back to its bytes.
            assert.deepEqual([...report.withoutTtl.samples].sort(), [...shown].sort());
            for (const sample of report.withoutTtl.samples) {
              const bytes = report.rawNames[sample]
                ? Buffer.from(report.rawNames[sample], 'base64')
                : Buffer.from(sample);
              assert.ok(
                seeded.keys.some((k) => k.bytes.equals(bytes)),
                `${sample} is a seeded key`,
              );
              assert.ok(keyNameBytes(sample).equals(bytes), `${sample} unescapes to its bytes`);
              // eslint-disable-next-line no-control-regex -- finding control characters is the point
              assert.doesNotMatch(sample, /[\u0000-\u001f\u007f]/, 'no raw control character');
            }
            const big = report.bigKeys.top.map((k) => k.key);
            const tag = seeded.match.slice(1, -1);
            assert.equal(big[0], `"${tag}:big:\\xff\\xfe"`);
            assert.equal(report.rawNames[big[0] as string], seeded.bigBinary.toString('base64'));
            assert.deepEqual(big.slice(1).sort(), [`"${tag}:ctl:\\n:1"`, `"${tag}:ctl:\\x1b[31mred"`].sort());
            assert.ok(!allPrefixes(report.prefixes).includes(''), 'a leading separator makes no empty prefix');
            assert.ok(
              allPrefixes(report.prefixes).includes(`:${tag}`),
              'the leading separator stays on the first segment',
            );
            assert.equal(schemaErrors({ instances: [{ target: report.target, ok: true, report }] }), undefined);
          }
          note('binary names exact, escaped');
        } finally {
          await dropOddNames(client, seeded);
        }
      },
    },
    {
      name: 'separators detected from the names, types with their biggest key, size and name distributions, TTL buckets',
      async run({ client, prefix, target, note }) {
        const tag = `rakmix${prefix.split(':').at(-1)}`;
        const writes: Command[] = [];
        for (let i = 0; i < 5; i++) {
          writes.push(
            command('SET', `${tag}/v1/token/${i}`, 't'.repeat(10 + i)),
            command('SET', `${tag}.cpu.host${i}`, String(i)),
            command('SET', `${tag}|${i}|seen`, '1'),
            command('SET', `${tag}:user:${i}`, 'u'.repeat(100 * (i + 1)), 'EX', 100),
          );
        }
        writes.push(
          command('SADD', `${tag}:set:1`, 'a', 'b', 'c'),
          command('HSET', `${tag}:hash:1`, 'f1', 'x', 'f2', 'y'),
          command('ZADD', `${tag}:zset:1`, 1, 'a', 2, 'b'),
        );
        const keys = writes.map((c) => c.args[0] as string);
        try {
          orThrow(await sendBatch(client, writes));
          if (target.capabilities.hashFieldTtl) await client.call('HEXPIRE', `${tag}:hash:1`, 600, 'FIELDS', 1, 'f1');
          const sizes = orThrow(
            await sendBatch(
              client,
              keys.map((k) => withKeys('MEMORY', ['USAGE', k, 'SAMPLES', '0'], [1])),
            ),
          );
          const bytes = new Map(keys.map((k, i) => [k, Number(sizes[i])]));
          const report = await auditKeyspace(client, { match: `${tag}*`, memorySamples: 0, scanCount: 100 });

          assert.equal(report.separators.source, 'detected');
          assert.deepEqual(report.separators.used, [
            { separator: ':', keys: 8 },
            { separator: '/', keys: 5 },
            { separator: '|', keys: 5 },
            { separator: '.', keys: 5 },
          ]);
          assert.equal(report.separators.keysWithout, 0);
          assert.equal(finding(report, 'no-namespace'), undefined);
          const prefixes = allPrefixes(report.prefixes);
          for (const p of [tag, `${tag}/v1/token`, `${tag}.cpu`, `${tag}|0`, `${tag}:user`]) {
            assert.ok(prefixes.includes(p), `prefix ${p} in ${prefixes.join(' ')}`);
          }

          assert.deepEqual(Object.keys(report.types).sort(), ['hash', 'set', 'string', 'zset']);
          const biggest = (names: string[]) =>
            names.filter((k) => bytes.has(k)).reduce((a, b) => ((bytes.get(b) ?? 0) > (bytes.get(a) ?? 0) ? b : a));
          assert.equal(report.types.string?.biggest.key, biggest(keys.slice(0, 20)));
          for (const type of ['set', 'hash', 'zset']) {
            const t = report.types[type];
            assert.equal(t?.keys, 1);
            assert.equal(t?.biggest.key, `${tag}:${type}:1`, `the biggest ${type}, however small`);
            assert.equal(t?.averageBytes, t?.bytes);
          }
          const shares = Object.values(report.types).reduce((sum, t) => sum + t.share, 0);
          assert.ok(Math.abs(shares - 1) < 1e-9, `shares sum to 1: ${shares}`);
          assert.equal(report.types.string?.averageBytes, Math.round((report.types.string?.bytes ?? 0) / 20));

          const all = [...bytes.values()];
          assert.equal(report.keySizes.max, Math.max(...all));
          assert.equal(report.keySizes.min, Math.min(...all));
          assert.ok(report.keySizes.p50 >= report.keySizes.min && report.keySizes.p50 <= report.keySizes.p99);
          assert.equal(report.nameLengths.max, Math.max(...keys.map((k) => Buffer.byteLength(k))));
          assert.equal(report.nameLengths.min, Math.min(...keys.map((k) => Buffer.byteLength(k))));

          const hour = report.ttlBuckets.find((b) => b.label === '< 1 hour');
          assert.equal(hour?.keys, 5, 'the five user keys (100 s left) are under an hour');
          assert.equal(
            report.ttlBuckets.reduce((sum, b) => sum + b.keys, 0),
            report.totals.scanned - report.withoutTtl.keys,
          );
          if (target.capabilities.hashFieldTtl && target.capabilities.server === 'redis') {
            assert.ok((report.keyspace.hashesWithFieldTtl ?? 0) >= 1, 'INFO keyspace subexpiry counts the hash');
            note(`hashes with field TTL: ${report.keyspace.hashesWithFieldTtl}`);
          }
          assert.equal(schemaErrors({ instances: [{ target: report.target, ok: true, report }] }), undefined);

          const given = await auditKeyspace(client, { match: `${tag}*`, separators: ':' });
          assert.equal(given.separators.source, 'given');
          assert.equal(given.options.separators, ':');
          assert.equal(given.separators.keysWithout, 15);
          assert.equal(finding(given, 'no-namespace')?.count, 15);
        } finally {
          await sendBatch(
            client,
            keys.map((k) => command('UNLINK', k)),
          );
        }
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
            totals: { ...r.totals, dbsize: 0, commands: 0, commandsInScripts: 0 },
            prefixes: r.prefixes,
            types: Object.entries(r.types).map(
              ([
                type,
                {
                  biggest: { ttlMs, ...biggest },
                  ...t
                },
              ]) => ({
                type,
                ...t,
                biggest: { ...biggest, hasTtl: ttlMs >= 0 },
              }),
            ),
            distributions: [r.keySizes, r.nameLengths, r.ttlBuckets, r.separators],
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
        const auditAsReader = async (
          extra: string[],
          check: (seeded: Seeded, report: AuditReport) => void,
          options: AuditOptions = {},
        ) => {
          await client.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...READER_ACL, ...extra);
          const reader = await connect({ ...targetConnection(target), username: user, password, readyCheck: false });
          try {
            await withSeededAudit(client, `${prefix}:${extra.length ? 'limited' : 'reader'}`, check, options, reader);
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
          await auditAsReader(
            ['-memory'],
            (seeded, report) => {
              assert.ok(
                report.notes.some((n) => /keys at random \(MEMORY USAGE is not allowed/.test(n)),
                report.notes.join('; '),
              );
              assert.equal(
                report.totals.estimatedKeys?.value,
                seeded.keys.length,
                'every matching key counted in the pass',
              );
            },
            { sampleKeys: 10, sizePass: true },
          );
          const valid = (report: AuditReport) =>
            assert.equal(schemaErrors({ instances: [{ target: report.target, ok: true, report }] }), undefined);
          await auditAsReader(['-pttl'], (seeded, report) => {
            assert.equal(report.totals.keysWithoutTtl, seeded.keys.filter((k) => !k.hasTtl).length);
            assert.ok(report.notes.some((n) => /PTTL is not allowed for this user: TTLs read with TTL/.test(n)));
            for (const big of report.bigKeys.top)
              assert.ok(Number.isInteger(big.ttlMs), `${big.key} ttlMs ${big.ttlMs}`);
            valid(report);
          });
          note('PTTL denied: TTL instead, said');
          await assert.rejects(
            auditAsReader(['-pttl', '-ttl', '-pexpiretime'], () => assert.fail('no audit without any TTL command')),
            /NOPERM.*the audit needs PTTL, TTL or PEXPIRETIME/,
          );
          await auditAsReader(['-dbsize'], (seeded, report) => {
            assert.equal(report.totals.scanned, seeded.keys.length);
            // The recipe denies INFO too (-@dangerous after +info): the count is unknown, and said to be.
            assert.equal(report.totals.dbsize, null);
            assert.ok(report.notes.some((n) => /DBSIZE and INFO are not allowed/.test(n)));
            valid(report);
          });
          await auditAsReader(['-dbsize', '+info'], (seeded, report) => {
            assert.ok((report.totals.dbsize ?? 0) >= seeded.keys.length, `DBSIZE from INFO: ${report.totals.dbsize}`);
            assert.ok(
              report.notes.some((n) => /DBSIZE is not allowed for this user: key counts from INFO keyspace/.test(n)),
            );
          });
          note('DBSIZE denied: INFO keyspace, or unknown and said');
        } finally {
          await client.call('ACL', 'DELUSER', user);
        }
      },
    },
  ],
});
