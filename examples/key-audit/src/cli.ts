#!/usr/bin/env node
/**
 * redis-key-audit: audits the key namespace of one or more Redis/Valkey instances without blocking them
 * (SCAN with a bounded COUNT, pipelined TYPE/PTTL/MEMORY USAGE, optional ops/s cap), read-only, and prints one
 * JSON document for all of them (validated by key-audit-schema.json) or a terminal summary. One instance failing
 * does not stop the others: its entry carries the error, and the exit code says so.
 */
import { closeClient, type RedisClient, redactClientError, redactError, redactUrl } from '@redis-agent-kit/patterns';
import { type AuditReport, auditKeyspace, type Severity } from '@redis-agent-kit/patterns/audit';
import { type CliOptions, parseCliArgs, USAGE, UsageError } from './args.ts';
import { connectInstance } from './connect-instance.ts';
import { DEMO_PREFIX, writeDemoKeyspace } from './demo.ts';
import { formatText } from './format-text.ts';
import { auditProgress } from './progress.ts';

export type InstanceResult =
  { target: string; ok: true; report: AuditReport } | { target: string; ok: false; error: string };

export const EXIT = { ok: 0, findings: 1, usage: 2, instanceFailed: 3 } as const;
const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

async function auditInstance(url: string, options: CliOptions): Promise<InstanceResult> {
  const target = redactUrl(url);
  const progress = auditProgress(target);
  let client: RedisClient | undefined;
  try {
    client = await connectInstance(url, options.cluster, options.timeoutMs);
    if (options.demo) {
      const written = await writeDemoKeyspace(client);
      process.stderr.write(
        `${target}: wrote ${written} demo keys under ${DEMO_PREFIX} (each expires within an hour)\n`,
      );
    }
    const report = await auditKeyspace(client, {
      ...options.audit,
      commandTimeoutMs: options.timeoutMs,
      onProgress: (p) => progress.update(p),
    });
    return { target, ok: true, report };
  } catch (error) {
    // connect() redacts its own errors; once connected, the client knows its password (URL or REDIS_PASSWORD).
    const message = (client ? redactClientError(client, error) : redactError(error)).message;
    // ioredis says only "Connection is closed." when an instance dies mid-audit: say what happened.
    const lost = client !== undefined && client.status !== 'ready';
    return {
      target,
      ok: false,
      error: lost ? `lost the connection during the audit (${message}); audit it again once it is reachable` : message,
    };
  } finally {
    progress.done();
    if (client) await closeClient(client);
  }
}

/**
 * Audits every instance of `options.urls`, one at a time (an audit is background load, and several at once would
 * multiply it). An instance that cannot be audited gets its (redacted) error and the others still run.
 */
export async function auditInstances(options: CliOptions): Promise<InstanceResult[]> {
  const results: InstanceResult[] = [];
  for (const url of options.urls) results.push(await auditInstance(url, options));
  return results;
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv, process.env, process.stdout.isTTY === true);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`redis-key-audit: ${error.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const results = await auditInstances(options);

  process.stdout.write(
    options.format === 'json' ? `${JSON.stringify({ instances: results }, null, 2)}\n` : `${formatText(results)}\n`,
  );
  if (results.some((r) => !r.ok)) return EXIT.instanceFailed;
  const failOn = options.failOn;
  if (failOn && results.some((r) => r.ok && r.report.findings.some((f) => RANK[f.severity] >= RANK[failOn]))) {
    return EXIT.findings;
  }
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
