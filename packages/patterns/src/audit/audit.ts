/**
 * `auditKeyspace(client, options)`: the key namespace audit, gentle by construction. Every master is scanned once
 * with SCAN and a bounded COUNT (never KEYS); its keys are inspected (TYPE, TTL, MEMORY USAGE … SAMPLES, collection
 * lengths) one slice per command, from a read-only script or as pipelined commands (see inspector.ts), each slice
 * sized to stay near `commandTargetMs` of server time and one in flight per master; every command has a
 * deadline (`commandTimeoutMs`); an optional ops/s cap paces everything. With `sampleKeys` only a random sample is
 * inspected and the figures by prefix are estimated with 95% intervals; with `sizePass` as well, every key is sized
 * first (size-pass.ts), so the totals are exact and the big keys are inspected in full rather than left to chance.
 */
import type { Redis } from 'ioredis';
import type { Capabilities } from '../capabilities.ts';
import { masters, nodeAddress } from '../cluster/nodes.ts';
import { describeClient, type RedisClient } from '../connection.ts';
import { withinDeadline } from './deadline.ts';
import type { InspectOptions, InspectorState } from './inspection.ts';
import { inspectKeys } from './inspector.ts';
import type { ByteString } from './key-name.ts';
import { type NodeKeyspace, readNodeKeyspace } from './node-keyspace.ts';
import { Pacer } from './pacer.ts';
import { OpsRateLimiter } from './rate-limiter.ts';
import { ReportBuilder } from './report.ts';
import { KeySource, listSource, scanKeys } from './scanner.ts';
import { passSizes, SampleStrata } from './size-pass.ts';
import { auditCapabilities } from './server.ts';
import { type AuditSettings, auditSettings } from './settings.ts';
import { AUDIT_DEFAULTS, type AuditOptions, type AuditReport, type NodeReport } from './types.ts';

export async function auditKeyspace(client: RedisClient, options: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const settings = auditSettings(options);
  const limiter = new OpsRateLimiter(options.maxOpsPerSecond);
  const { capabilities, notes } = options.capabilities
    ? { capabilities: options.capabilities, notes: [] }
    : await withinDeadline(
        auditCapabilities(client),
        settings.commandTimeoutMs,
        () => `${describeClient(client)}: INFO`,
      );
  const nodes = await sizeMasters(client, settings);
  const run = startRun({ started, settings, capabilities, nodes, options, limiter });
  await Promise.all(nodes.map((node) => auditMaster(node, run)));
  return finishReport(client, run, nodes, notes, options);
}

type Deadline = <T>(promise: Promise<T>, what: string) => Promise<T>;

/** Keys a sampled audit's tail holds at least before its threshold doubles (at least the sample size). */
const MAX_TAIL = 10_000;

/** One master and what the audit did on it. */
interface Master {
  node: Redis;
  report: NodeReport;
  keyspace: NodeKeyspace;
  /** Every command to this master, within the command deadline, naming the master when it expires. */
  deadline: Deadline;
}

/** What every master's scan adds to: the masters are scanned in parallel. */
interface Tally {
  scanned: number;
  /** Keys sized by the passes of a sampled audit. */
  passed: number;
  vanished: number;
  nodesDone: number;
  /** A sampled audit's strata (unused otherwise). */
  strata: SampleStrata;
}

/** One audit in progress: its settings, the inspectors' state, the report being built and the running totals. */
interface AuditRun {
  settings: AuditSettings;
  /** DBSIZE summed over the masters; null when a master's count is unknown (DBSIZE and INFO denied). */
  dbsize: number | null;
  masters: number;
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

/** Every master with its key counts, which set its share of a sample and the progress goal. */
async function sizeMasters(client: RedisClient, settings: AuditSettings): Promise<Master[]> {
  return Promise.all(
    masters(client).map(async (node) => {
      const address = nodeAddress(node);
      const deadline: Deadline = (promise, what) =>
        withinDeadline(promise, settings.commandTimeoutMs, () => `${address}: ${what}`);
      const keyspace = await readNodeKeyspace(node, deadline);
      const report: NodeReport = {
        node: address,
        dbsize: keyspace.dbsize,
        keysWithTtl: keyspace.expires,
        hashesWithFieldTtl: keyspace.subexpiry,
        scanned: 0,
        scanCalls: 0,
      };
      return { node, deadline, keyspace, report };
    }),
  );
}

/** The run's shared state before the first SCAN: nothing inspected yet. */
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
  const dbsize = sumOrNull(nodes.map(({ report }) => report.dbsize));
  const goal =
    dbsize === null || settings.sampleKeys === undefined || settings.sizePass
      ? dbsize
      : Math.min(settings.sampleKeys, dbsize);
  const tally: Tally = { scanned: 0, passed: 0, vanished: 0, nodesDone: 0, strata: new SampleStrata() };
  const state: InspectorState = {
    memorySamples: settings.memorySamples,
    memoryUsage: true,
    scripts: settings.useScripts,
    ttlCommand: 'PTTL',
    denied: new Map(),
    // DBSIZE and INFO keyspace on every master.
    commands: nodes.length * 2,
    commandsInScripts: 0,
  };
  return {
    settings,
    dbsize,
    masters: nodes.length,
    started,
    state,
    report: new ReportBuilder(settings.report, capabilities),
    capabilities,
    tally,
    beforeSend: (ops) => limiter.take(ops, options.signal),
    progress: () =>
      options.onProgress?.({
        // A sized sample's progress is its pass over every key.
        scanned: settings.sampleKeys !== undefined && settings.sizePass ? tally.passed : tally.scanned,
        goal,
        nodesDone: tally.nodesDone,
        nodes: nodes.length,
        elapsedMs: performance.now() - started,
      }),
    signal: options.signal,
  };
}

/** Audits one master: every key, or (with `sampleKeys`) a sizing pass, its tail and a random sample of the rest. */
async function auditMaster(master: Master, run: AuditRun): Promise<void> {
  const { node, report: nodeReport, deadline } = master;
  const { settings, state, tally } = run;
  const sampledWithoutPass = settings.sampleKeys !== undefined && !settings.sizePass;
  const scan = scanKeys(node, {
    match: settings.match,
    count: settings.scanCount,
    randomStart: sampledWithoutPass,
    beforeSend: (ops: number) => {
      nodeReport.scanCalls++;
      state.commands += ops;
      return run.beforeSend(ops);
    },
    deadline,
  });
  // This master's share of a sample, in proportion to its size (evenly when a size is unknown).
  const share =
    run.dbsize === null || nodeReport.dbsize === null ? 1 / run.masters : nodeReport.dbsize / Math.max(1, run.dbsize);
  const quota = Math.ceil((settings.sampleKeys ?? 0) * share);
  const source = new KeySource(scan, sampledWithoutPass ? quota : Infinity);
  const take = (n: number) => {
    run.signal?.throwIfAborted();
    return source.take(n);
  };
  const inspectOptions: InspectOptions = {
    state,
    pacer: new Pacer({ targetMs: settings.commandTargetMs }),
    beforeSend: run.beforeSend,
    wantsHead: run.report.wantsHead.bind(run.report),
    deadline,
  };
  const inspect = (from: (n: number) => Promise<ByteString[]>, stratum: 'all' | 'tail' | 'sample') =>
    inspectKeys(node, from, inspectOptions, ({ records, vanished }) => {
      for (const record of records) {
        if (stratum === 'tail') record.tail = true;
        run.report.observe(record);
      }
      nodeReport.scanned += records.length;
      tally.scanned += records.length;
      if (stratum === 'sample') tally.strata.inspected += records.length;
      tally.vanished += vanished;
      run.progress();
    });
  try {
    if (settings.sampleKeys === undefined) {
      await inspect(take, 'all');
    } else if (sampledWithoutPass) {
      // The first keys from a random cursor: SCAN's order is the hash order, unrelated to names.
      await inspect(take, 'sample');
      const known = settings.match === AUDIT_DEFAULTS.match ? nodeReport.dbsize : null;
      tally.strata.addUnsized(known, source.cutShort);
    } else {
      let passed = 0;
      // Its own pacer: sizing a key costs a fraction of inspecting it.
      const passOptions = { ...inspectOptions, pacer: new Pacer({ targetMs: settings.commandTargetMs }) };
      const pass = await passSizes(
        node,
        take,
        passOptions,
        {
          threshold: settings.report.bigKeyBytes,
          sampleSize: quota,
          maxTail: Math.max(MAX_TAIL, settings.sampleKeys),
        },
        (keys) => {
          tally.passed += keys - passed;
          passed = keys;
          run.progress();
        },
      );
      tally.strata.add(pass);
      await inspect(listSource(pass.tail), 'tail');
      await inspect(listSource(pass.sample), 'sample');
    }
  } finally {
    // Ends the scan (a failure stops all) without waiting for a SCAN still in flight.
    scan.return(undefined).catch(() => {});
  }
  tally.nodesDone++;
  run.progress();
}

/** What the reader must know about how this run measured: fallbacks taken, and what a sample's numbers mean. */
function runNotes({ state, tally, dbsize }: AuditRun, nodes: readonly Master[], sampled: boolean): string[] {
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
  for (const [command, instead] of state.denied) notes.push(`${command} is not allowed for this user: ${instead}`);
  const refused = new Set(nodes.flatMap(({ keyspace }) => keyspace.refused));
  if (refused.has('DBSIZE')) {
    notes.push(
      dbsize === null
        ? 'DBSIZE and INFO are not allowed for this user: the number of keys is unknown (no progress goal, no estimates)'
        : 'DBSIZE is not allowed for this user: key counts from INFO keyspace',
    );
  }
  if (sampled) {
    const { strata } = tally;
    if (strata.sized) {
      notes.push(
        `sampled: every key was sized (${strata.keys} keys, totals exact); the ${strata.tailKeys} keys of at least ` +
          `${strata.threshold} bytes were inspected in full, and ${strata.inspected} of the other ${strata.population} ` +
          'at random: figures by prefix are estimates with 95% intervals',
      );
    } else if (strata.population === null) {
      notes.push(
        `sampled ${strata.inspected} keys: no estimate (the number of keys matching is unknown without a sizing pass)`,
      );
    } else {
      const how = strata.drawnInPass
        ? 'at random (MEMORY USAGE is not allowed, so no key was sized first)'
        : 'from a random cursor';
      notes.push(
        `sampled ${strata.inspected} of ${strata.population} keys ${how}: the 95% intervals assume no key far bigger ` +
          'than those sampled was missed',
      );
    }
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
  const { strata } = tally;
  // Sampled when some keys outside the tail were not inspected; then each group is its tail plus an estimate.
  const sampled =
    settings.sampleKeys !== undefined &&
    (strata.population === null ? strata.cutShort : strata.inspected < strata.population || strata.cutShort);
  const estimable = sampled && strata.population !== null;
  notes.push(...runNotes(run, nodes, sampled));
  const body = run.report.finish(
    estimable
      ? {
          inspected: strata.inspected,
          population: Math.max(strata.population ?? 0, strata.inspected),
          ...(strata.sized && strata.keys !== null ? { exact: { keys: strata.keys, bytes: strata.bytes } } : {}),
        }
      : undefined,
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
      separators: settings.report.separators?.join('') ?? null,
      commandTimeoutMs: settings.commandTimeoutMs,
      commandTargetMs: settings.commandTargetMs,
    },
    bytesSource: state.memoryUsage ? 'memory-usage' : 'estimate',
    inspection: state.scripts ? 'script' : 'pipeline',
    totals: {
      dbsize,
      ...body.totals,
      vanished: tally.vanished,
      sampled,
      commands: state.commands,
      commandsInScripts: state.commandsInScripts,
    },
    nodes: nodes.map(({ report }) => report),
    keyspace: {
      keysWithTtl: sumOrNull(nodes.map(({ report }) => report.keysWithTtl)),
      hashesWithFieldTtl: sumOrNull(nodes.map(({ report }) => report.hashesWithFieldTtl)),
    },
    separators: body.separators,
    prefixes: body.prefixes,
    types: body.types,
    keySizes: body.keySizes,
    nameLengths: body.nameLengths,
    ttlBuckets: body.ttlBuckets,
    withoutTtl: body.withoutTtl,
    bigKeys: body.bigKeys,
    findings: body.findings,
    rules: body.rules,
    rawNames: body.rawNames,
    notes,
  };
}

/** The sum, or null when any part is unknown. */
function sumOrNull(values: (number | null)[]): number | null {
  return values.includes(null) ? null : values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}
