/**
 * `auditKeyspace(client, options)`: the key namespace audit, non-blocking by construction. Every master is scanned
 * once with SCAN and a bounded COUNT (never KEYS); each batch gets TYPE, PTTL, MEMORY USAGE … SAMPLES and collection
 * lengths, from a read-only script per slice of keys or as pipelined commands (see inspector.ts); an optional
 * ops/s cap paces every command; with `sampleKeys` only part of a very large keyspace is inspected and the totals
 * are estimated with a 95% confidence interval.
 */
import type { Redis } from 'ioredis';
import type { Capabilities } from '../capabilities.ts';
import { masters, nodeAddress } from '../cluster/nodes.ts';
import { describeClient, type RedisClient } from '../connection.ts';
import type { InspectorState } from './inspection.ts';
import { inspectKeys } from './inspector.ts';
import { OpsRateLimiter } from './rate-limiter.ts';
import { ReportBuilder } from './report.ts';
import { scanKeys } from './scanner.ts';
import { auditCapabilities } from './server.ts';
import { type AuditSettings, auditSettings } from './settings.ts';
import { AUDIT_DEFAULTS, type AuditOptions, type AuditReport, type NodeReport } from './types.ts';

export async function auditKeyspace(client: RedisClient, options: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const settings = auditSettings(options);
  const limiter = new OpsRateLimiter(options.maxOpsPerSecond);
  const { capabilities, notes } = options.capabilities
    ? { capabilities: options.capabilities, notes: [] }
    : await auditCapabilities(client);
  const nodes = await sizeMasters(client);
  const run = startRun({ started, settings, capabilities, nodes, options, limiter });
  await Promise.all(nodes.map((node) => auditMaster(node, run)));
  return finishReport(client, run, nodes, notes, options);
}

/** One master and what the audit did on it. */
interface Master {
  node: Redis;
  report: NodeReport;
}

/** What every master's scan adds to: the masters are scanned in parallel. */
interface Tally {
  scanned: number;
  vanished: number;
  nodesDone: number;
  /** Some keys were left out (a sample), so totals are estimates. */
  sampled: boolean;
}

/** One audit in progress: its settings, the inspectors' state, the report being built and the running totals. */
interface AuditRun {
  settings: AuditSettings;
  /** DBSIZE summed over the masters. */
  dbsize: number;
  /** performance.now() when the audit started. */
  started: number;
  capabilities: Capabilities;
  state: InspectorState;
  report: ReportBuilder;
  tally: Tally;
  /** Waits until `ops` more commands fit under the ops/s cap. */
  beforeSend(ops: number): Promise<void>;
  progress(): void;
  signal: AbortSignal | undefined;
}

/** Every master with its DBSIZE, which sets its share of a sample and the progress goal. */
async function sizeMasters(client: RedisClient): Promise<Master[]> {
  return Promise.all(
    masters(client).map(async (node) => ({
      node,
      report: { node: nodeAddress(node), dbsize: Number(await node.dbsize()), scanned: 0, scanCalls: 0 },
    })),
  );
}

/** The run's shared state before the first SCAN: nothing inspected yet, one DBSIZE counted per master. */
function startRun({
  started,
  settings,
  capabilities,
  nodes,
  options,
  limiter,
}: {
  started: number;
  settings: AuditSettings;
  capabilities: Capabilities;
  nodes: readonly Master[];
  options: AuditOptions;
  limiter: OpsRateLimiter;
}): AuditRun {
  const dbsize = nodes.reduce((sum, { report }) => sum + report.dbsize, 0);
  const goal = settings.sampleKeys === undefined ? dbsize : Math.min(settings.sampleKeys, dbsize);
  const tally: Tally = { scanned: 0, vanished: 0, nodesDone: 0, sampled: false };
  return {
    settings,
    dbsize,
    started,
    state: { memorySamples: settings.memorySamples, memoryUsage: true, scripts: settings.useScripts, commands: nodes.length },
    report: new ReportBuilder(settings.report, capabilities),
    capabilities,
    tally,
    beforeSend: (ops) => limiter.take(ops, options.signal),
    progress: () =>
      options.onProgress?.({
        scanned: tally.scanned,
        goal,
        nodesDone: tally.nodesDone,
        nodes: nodes.length,
        elapsedMs: performance.now() - started,
      }),
    signal: options.signal,
  };
}

/** Scans one master to its end, or until its share of the sample is inspected, and observes every key. */
async function auditMaster({ node, report: nodeReport }: Master, run: AuditRun): Promise<void> {
  const { settings, state, tally } = run;
  // A sample is spread over the masters in proportion to their sizes.
  const quota =
    settings.sampleKeys === undefined
      ? Infinity
      : Math.ceil((settings.sampleKeys * nodeReport.dbsize) / Math.max(1, run.dbsize));
  const scanOptions = {
    match: settings.match,
    count: settings.scanCount,
    beforeSend: (ops: number) => {
      nodeReport.scanCalls++;
      state.commands += ops;
      return run.beforeSend(ops);
    },
  };
  const inspectOptions = { state, beforeSend: run.beforeSend, wantsHead: run.report.wantsHead.bind(run.report) };
  let taken = 0;
  for await (const batch of scanKeys(node, scanOptions)) {
    run.signal?.throwIfAborted();
    const keys = batch.slice(0, quota - taken);
    taken += keys.length;
    const { records, vanished } = await inspectKeys(node, keys, inspectOptions);
    for (const record of records) run.report.observe(record);
    nodeReport.scanned += records.length;
    tally.scanned += records.length;
    tally.vanished += vanished;
    run.progress();
    if (taken >= quota) {
      if (keys.length < batch.length || taken < nodeReport.dbsize) tally.sampled = true;
      break;
    }
  }
  tally.nodesDone++;
  run.progress();
}

/** What the reader must know about how this run measured: fallbacks taken, and what a sample's numbers mean. */
function runNotes({ state, tally, dbsize }: AuditRun, estimable: boolean): string[] {
  const notes: string[] = [];
  if (state.scriptsRefused) {
    notes.push(`the inspection script was refused (${state.scriptsRefused}): per-key commands were pipelined instead`);
  }
  if (!state.memoryUsage) {
    notes.push(
      'MEMORY USAGE is not allowed for this user: bytes are estimates (key + STRLEN for strings, ' +
        'key + one byte per element for collections, a lower bound); grant +memory|usage for exact sizes',
    );
  }
  if (tally.sampled && !estimable) {
    notes.push('sampled with a MATCH pattern: no estimate (the matching population is unknown)');
  }
  if (estimable) {
    notes.push(
      `sampled ${tally.scanned} of ${dbsize} keys: estimates assume SCAN order is unrelated to key names, with 95% intervals`,
    );
  }
  return notes;
}

/** The report: the sections about the keys from the report builder, with the run's own counts and notes. */
function finishReport(
  client: RedisClient,
  run: AuditRun,
  nodes: readonly Master[],
  notes: string[],
  options: AuditOptions,
): AuditReport {
  const { settings, state, tally, dbsize } = run;
  const estimable = tally.sampled && settings.match === AUDIT_DEFAULTS.match;
  notes.push(...runNotes(run, estimable));
  const body = run.report.finish(
    estimable ? { inspected: tally.scanned, population: Math.max(dbsize, tally.scanned) } : undefined,
  );
  const { server: kind, version, cluster, ...flags } = run.capabilities;
  return {
    target: describeClient(client),
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - run.started),
    server: { kind, version, cluster, capabilities: flags },
    options: {
      match: settings.match,
      scanCount: settings.scanCount,
      memorySamples: settings.memorySamples,
      maxOpsPerSecond: options.maxOpsPerSecond ?? null,
      sampleKeys: settings.sampleKeys ?? null,
      prefixDepth: settings.report.prefixDepth,
      bigKeyBytes: settings.report.bigKeyBytes,
    },
    bytesSource: state.memoryUsage ? 'memory-usage' : 'estimate',
    inspection: state.scripts ? 'script' : 'pipeline',
    totals: { dbsize, ...body.totals, vanished: tally.vanished, sampled: tally.sampled, commands: state.commands },
    nodes: nodes.map(({ report }) => report),
    prefixes: body.prefixes,
    types: body.types,
    withoutTtl: body.withoutTtl,
    bigKeys: body.bigKeys,
    findings: body.findings,
    rules: body.rules,
    notes,
  };
}
