/**
 * `auditKeyspace(client)`: the key namespace audit, non-blocking by construction. Every master is scanned once
 * with SCAN and a bounded COUNT (never KEYS); each batch gets TYPE, PTTL, MEMORY USAGE … SAMPLES and collection
 * lengths, from a read-only script per slice of keys or as pipelined commands (see inspector.ts); an optional
 * ops/s cap paces every command; with `sampleKeys` only part of a very large keyspace is inspected and the totals
 * are estimated with a 95% confidence interval.
 */
import { describeClient, type RedisClient } from '../connection.ts';
import type { InspectorState } from './inspection.ts';
import { inspectKeys } from './inspector.ts';
import { OpsRateLimiter } from './rate-limiter.ts';
import { ReportBuilder, type ReportSettings } from './report.ts';
import { scanKeys } from './scanner.ts';
import { masters, nodeAddress } from '../cluster/nodes.ts';
import { auditCapabilities } from './server.ts';
import type { AuditOptions, AuditReport, KeyRecord, NodeReport } from './types.ts';

export const AUDIT_DEFAULTS = {
  match: '*',
  scanCount: 1000,
  memorySamples: 5,
  prefixDepth: 3,
  maxPrefixChildren: 200,
  top: 20,
  bigKeyBytes: 10 * 1024,
  largeCollectionLength: 10_000,
  hugeValueBytes: 100 * 1024,
} as const;

const MAX_SCAN_COUNT = 10_000;

function integerOption(name: string, value: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export async function auditKeyspace(client: RedisClient, options: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  /** A numeric option, or its default, checked against its range. */
  const setting = (name: Exclude<keyof typeof AUDIT_DEFAULTS, 'match'>, min?: number, max?: number) =>
    integerOption(name, options[name] ?? AUDIT_DEFAULTS[name], min, max);
  const match = options.match ?? AUDIT_DEFAULTS.match;
  const scanCount = setting('scanCount', 1, MAX_SCAN_COUNT);
  const memorySamples = setting('memorySamples', 0);
  const sampleKeys = options.sampleKeys === undefined ? undefined : integerOption('sampleKeys', options.sampleKeys);
  const settings: ReportSettings = {
    prefixDepth: setting('prefixDepth'),
    maxPrefixChildren: setting('maxPrefixChildren'),
    top: setting('top'),
    bigKeyBytes: setting('bigKeyBytes'),
    largeCollectionLength: setting('largeCollectionLength'),
    hugeValueBytes: setting('hugeValueBytes'),
  };
  const limiter = new OpsRateLimiter(options.maxOpsPerSecond);
  const beforeSend = (ops: number) => limiter.take(ops, options.signal);

  const { capabilities, notes } = options.capabilities
    ? { capabilities: options.capabilities, notes: [] }
    : await auditCapabilities(client);
  const nodes = masters(client);
  const sizes = await Promise.all(nodes.map(async (node) => Number(await node.dbsize())));
  const dbsize = sizes.reduce((sum, n) => sum + n, 0);
  const report = new ReportBuilder(settings, capabilities);
  const state: InspectorState = {
    memorySamples,
    memoryUsage: true,
    scripts: options.useScripts ?? true,
    commands: nodes.length,
  };
  const nodeReports: NodeReport[] = nodes.map((node, i) => ({
    node: nodeAddress(node),
    dbsize: sizes[i] ?? 0,
    scanned: 0,
    scanCalls: 0,
  }));
  let scanned = 0;
  let vanished = 0;
  let nodesDone = 0;
  let sampled = false;
  const goal = sampleKeys === undefined ? dbsize : Math.min(sampleKeys, dbsize);
  const inspectOptions = { state, beforeSend, wantsHead: (record: KeyRecord) => report.wantsHead(record) };
  const progress = () =>
    options.onProgress?.({
      scanned,
      goal,
      nodesDone,
      nodes: nodes.length,
      elapsedMs: performance.now() - started,
    });

  await Promise.all(
    nodes.map(async (node, i) => {
      const nodeReport = nodeReports[i] as NodeReport;
      // A sample is spread over the masters in proportion to their sizes.
      const quota =
        sampleKeys === undefined ? Infinity : Math.ceil((sampleKeys * nodeReport.dbsize) / Math.max(1, dbsize));
      const scanOptions = {
        match,
        count: scanCount,
        beforeSend: (ops: number) => {
          nodeReport.scanCalls++;
          state.commands += ops;
          return beforeSend(ops);
        },
      };
      let taken = 0;
      for await (const batch of scanKeys(node, scanOptions)) {
        options.signal?.throwIfAborted();
        const keys = batch.slice(0, quota - taken);
        taken += keys.length;
        const { records, vanished: gone } = await inspectKeys(node, keys, inspectOptions);
        for (const record of records) report.observe(record);
        nodeReport.scanned += records.length;
        scanned += records.length;
        vanished += gone;
        progress();
        if (taken >= quota) {
          if (keys.length < batch.length || taken < nodeReport.dbsize) sampled = true;
          break;
        }
      }
      nodesDone++;
      progress();
    }),
  );

  if (state.scriptsRefused) {
    notes.push(`the inspection script was refused (${state.scriptsRefused}): per-key commands were pipelined instead`);
  }
  if (!state.memoryUsage) {
    notes.push(
      'MEMORY USAGE is not allowed for this user: bytes are estimates (key + STRLEN for strings, ' +
        'key + one byte per element for collections, a lower bound); grant +memory|usage for exact sizes',
    );
  }
  const estimable = sampled && match === AUDIT_DEFAULTS.match;
  if (sampled && !estimable)
    notes.push('sampled with a MATCH pattern: no estimate (the matching population is unknown)');
  if (estimable) {
    notes.push(
      `sampled ${scanned} of ${dbsize} keys: estimates assume SCAN order is unrelated to key names, with 95% intervals`,
    );
  }
  const { server: kind, version, cluster, ...flags } = capabilities;
  const body = report.finish(estimable ? { inspected: scanned, population: Math.max(dbsize, scanned) } : undefined);
  return {
    target: describeClient(client),
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    server: { kind, version, cluster, capabilities: flags },
    options: {
      match,
      scanCount,
      memorySamples,
      maxOpsPerSecond: options.maxOpsPerSecond ?? null,
      sampleKeys: sampleKeys ?? null,
      prefixDepth: settings.prefixDepth,
      bigKeyBytes: settings.bigKeyBytes,
    },
    bytesSource: state.memoryUsage ? 'memory-usage' : 'estimate',
    inspection: state.scripts ? 'script' : 'pipeline',
    totals: { dbsize, ...body.totals, vanished, sampled, commands: state.commands },
    nodes: nodeReports,
    prefixes: body.prefixes,
    types: body.types,
    withoutTtl: body.withoutTtl,
    bigKeys: body.bigKeys,
    findings: body.findings,
    rules: body.rules,
    notes,
  };
}
