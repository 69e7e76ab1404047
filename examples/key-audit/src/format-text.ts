/** The terminal summary of one instance's audit. */
import type { AuditReport, Estimate, PrefixNode } from '@redis-agent-kit/patterns/audit';
import type { InstanceResult } from './cli.ts';

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

function prefixLines(node: PrefixNode, depth: number, out: string[]): void {
  for (const child of node.children ?? []) {
    const label = `${'  '.repeat(depth)}${child.prefix}:*`;
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
      `DBSIZE ${n(t.dbsize)} · ${n(t.scanned)} keys inspected${r.options.match !== '*' ? ` (MATCH ${r.options.match})` : ''} · ` +
      `${formatBytes(t.bytes)}${r.bytesSource === 'estimate' ? ' (estimated sizes)' : ''} · ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (t.sampled) {
    out.push(`  sampled:${interval(t.estimatedKeys, n)} keys,${interval(t.estimatedBytes, formatBytes)}`);
  }
  out.push(`  Memory by prefix (depth ${r.options.prefixDepth}):`);
  prefixLines(r.prefixes, 0, out);
  const types = Object.entries(r.types).map(([type, v]) => `${type} ${n(v.keys)} (${formatBytes(v.bytes)})`);
  out.push(`  Types: ${types.join(' · ') || 'none'}`);
  const w = r.withoutTtl;
  out.push(`  Without TTL: ${n(w.keys)} keys, ${formatBytes(w.bytes)}`);
  for (const p of w.topPrefixes.slice(0, 5)) {
    out.push(
      `    ${(p.prefix ? `${p.prefix}:*` : '(no namespace)').padEnd(40)} ${n(p.keys).padStart(10)} keys ${formatBytes(p.bytes).padStart(10)}`,
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

export function formatText(results: InstanceResult[]): string {
  return results
    .map((result) =>
      result.ok
        ? [`${result.target}`, ...reportLines(result.report)].join('\n')
        : `${result.target}\n  ERROR: ${result.error}`,
    )
    .join('\n\n');
}
