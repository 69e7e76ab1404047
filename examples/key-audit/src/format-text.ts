/**
 * The terminal summary of one instance's audit. Key names arrive already shown (escaped like redis-cli where they
 * are not printable UTF-8), and every line has its control characters escaped too, so nothing from the server (a name,
 * an error, a note) can split a row or reach the terminal as an escape sequence.
 */
import {
  type AuditReport,
  type Distribution,
  displayKeyName,
  type Estimate,
  isEscapedKeyName,
  keyNameBytes,
  type PrefixNode,
} from '@redis-agent-kit/patterns/audit';
import type { InstanceResult } from './cli.ts';

/** C0 and C1 control characters (newline, ESC …) and DEL. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** The line with every control character written as an escape (`\n`, `\x1b`). */
export function printable(line: string): string {
  return line.replace(CONTROL, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** The keys under a prefix as a pattern (`cache:user:*`), escaped as a whole when the prefix is. */
function under(prefix: string, separator = ''): string {
  if (!isEscapedKeyName(prefix)) return `${prefix}${separator}*`;
  return displayKeyName(Buffer.concat([keyNameBytes(prefix), Buffer.from(`${separator}*`)]));
}

const n = (value: number) => value.toLocaleString('en');

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

const interval = (e: Estimate | undefined, format: (x: number) => string) =>
  e ? ` (estimated ${format(e.value)}, 95% ${format(e.low)}–${format(e.high)})` : '';

const distribution = (d: Distribution) =>
  `p50 ${formatBytes(d.p50)} · p90 ${formatBytes(d.p90)} · p99 ${formatBytes(d.p99)} · p99.9 ${formatBytes(d.p999)} · ` +
  `max ${formatBytes(d.max)} (min ${formatBytes(d.min)}, average ${formatBytes(d.average)})`;

function prefixLines(node: PrefixNode, depth: number, out: string[]): void {
  for (const child of node.children ?? []) {
    const label = `${'  '.repeat(depth)}${under(child.prefix, child.separator)}`;
    out.push(
      `    ${label.padEnd(40)} ${n(child.keys).padStart(10)} keys ${formatBytes(child.bytes).padStart(10)}` +
        `${child.keysWithoutTtl ? `   ${n(child.keysWithoutTtl)} without TTL` : ''}${interval(child.estimatedBytes, formatBytes)}`,
    );
    prefixLines(child, depth + 1, out);
  }
  if (node.otherChildren) {
    const { count, keys, bytes } = node.otherChildren;
    out.push(`    ${'  '.repeat(depth)}… ${n(count)} more prefixes: ${n(keys)} keys, ${formatBytes(bytes)}`);
  }
}

function reportLines(r: AuditReport): string[] {
  const out: string[] = [];
  const t = r.totals;
  out.push(
    `  ${r.server.kind} ${r.server.version}${r.server.cluster ? ' cluster' : ''} · ${r.nodes.length} master${r.nodes.length > 1 ? 's' : ''} · ` +
      `DBSIZE ${t.dbsize === null ? 'unknown' : n(t.dbsize)} · ${n(t.scanned)} keys inspected${r.options.match !== '*' ? ` (MATCH ${r.options.match})` : ''} · ` +
      `${formatBytes(t.bytes)}${r.bytesSource === 'estimate' ? ' (estimated sizes)' : ''} · ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (t.sampled) {
    out.push(`  sampled:${interval(t.estimatedKeys, n)} keys,${interval(t.estimatedBytes, formatBytes)}`);
  }
  const s = r.separators;
  const separators = s.used.map((u) => `'${u.separator}' ${n(u.keys)} keys`);
  if (s.keysWithout) separators.push(`none ${n(s.keysWithout)} keys`);
  out.push(`  Separators (${s.source}): ${separators.join(' · ') || 'none'}`);
  out.push(`  Memory by prefix (depth ${r.options.prefixDepth}):`);
  prefixLines(r.prefixes, 0, out);
  out.push(`  Types:${Object.keys(r.types).length ? '' : ' none'}`);
  for (const [type, v] of Object.entries(r.types)) {
    out.push(
      `    ${type.padEnd(10)} ${n(v.keys).padStart(10)} keys ${`${(v.share * 100).toFixed(1)}%`.padStart(6)} ` +
        `${formatBytes(v.bytes).padStart(10)}  avg ${formatBytes(v.averageBytes).padStart(9)}  ` +
        `biggest ${v.biggest.key} (${formatBytes(v.biggest.bytes)})`,
    );
  }
  out.push(`  Key sizes:   ${distribution(r.keySizes)}`);
  out.push(`  Name length: ${distribution(r.nameLengths)}`);
  const ttl = r.ttlBuckets.map((b) => `${b.label} ${n(b.keys)}`);
  out.push(`  TTL left: no TTL ${n(r.withoutTtl.keys)} · ${ttl.join(' · ')}`);
  if (r.keyspace.hashesWithFieldTtl !== null) {
    out.push(
      `  Hash field TTLs: ${n(r.keyspace.hashesWithFieldTtl)} hashes with fields that expire (INFO keyspace, whole database)`,
    );
  }
  const w = r.withoutTtl;
  out.push(`  Without TTL: ${n(w.keys)} keys, ${formatBytes(w.bytes)}`);
  for (const p of w.topPrefixes.slice(0, 5)) {
    out.push(
      `    ${(p.prefix ? under(p.prefix, p.separator) : '(no namespace)').padEnd(40)} ${n(p.keys).padStart(10)} keys ${formatBytes(p.bytes).padStart(10)}`,
    );
  }
  if (w.samples.length) out.push(`    e.g. ${w.samples.slice(0, 5).join(', ')}`);
  const b = r.bigKeys;
  out.push(`  Big keys (>= ${formatBytes(b.thresholdBytes)}): ${n(b.keys)} keys, ${formatBytes(b.bytes)}`);
  for (const k of b.top.slice(0, 10)) {
    const extra = `${k.length !== undefined ? ` ${n(k.length)} elements` : ''}${k.ttlMs < 0 ? ' no TTL' : ''}`;
    out.push(`    ${k.key.padEnd(40)} ${k.type.padEnd(7)} ${formatBytes(k.bytes).padStart(10)}${extra}`);
  }
  out.push(r.findings.length ? '  Findings:' : '  Findings: none');
  for (const f of r.findings) {
    out.push(`    [${f.severity}] ${f.rule}: ${f.title}: ${n(f.count)} keys, e.g. ${f.keys.slice(0, 3).join(', ')}`);
    if (f.prefixes?.length) out.push(`      under ${f.prefixes.join(', ')}`);
    out.push(`      fix: ${f.fix}`);
  }
  for (const rule of r.rules.filter((x) => !x.applied)) out.push(`  Not applied: ${rule.rule}: ${rule.reason}`);
  for (const note of r.notes) out.push(`  Note: ${note}`);
  return out;
}

/** On a server without a single key, how to see what an audit shows. */
function emptyHint(report: AuditReport): string[] {
  if (report.totals.dbsize !== 0) return [];
  return [
    '  The server holds no keys: `--demo` writes a small demo keyspace (key-audit-demo:*, expiring within an hour) to audit.',
  ];
}

export function formatText(results: InstanceResult[]): string {
  return results
    .map((result) =>
      (result.ok
        ? [result.target, ...reportLines(result.report), ...emptyHint(result.report)]
        : [result.target, `  ERROR: ${result.error}`]
      )
        .map(printable)
        .join('\n'),
    )
    .join('\n\n');
}
