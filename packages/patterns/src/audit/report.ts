/**
 * Report assembly: every inspected key passes through `observe` once; `finish` turns the running totals into
 * the report (prefix tree, types, keys without TTL, big keys, findings, and estimates when the audit sampled).
 */
import type { Capabilities } from '../capabilities.ts';
import { estimateCount, estimateSum, type Sample } from './estimator.ts';
import { NameBook } from './key-name.ts';
import { PrefixTree } from './prefix-tree.ts';
import { AUDIT_RULES, type AuditRule, type RuleRun } from './rules/index.ts';
import { TopN } from './top-keys.ts';
import type { AuditReport, BigKey, Finding, KeyRecord, RuleStatus } from './types.ts';

const TTL_SAMPLES = 10;

export interface ReportSettings {
  prefixDepth: number;
  maxPrefixChildren: number;
  top: number;
  bigKeyBytes: number;
  largeCollectionLength: number;
  hugeValueBytes: number;
}

/** The parts of the report computed from the keys (the rest is about the server and the run). */
export type ReportBody = Pick<
  AuditReport,
  'prefixes' | 'types' | 'withoutTtl' | 'bigKeys' | 'findings' | 'rules' | 'rawNames'
> & {
  totals: Pick<AuditReport['totals'], 'scanned' | 'bytes' | 'keysWithoutTtl' | 'estimatedKeys' | 'estimatedBytes'>;
};

export class ReportBuilder {
  private readonly settings: ReportSettings;
  private readonly tree: PrefixTree;
  private readonly types = new Map<string, { keys: number; bytes: number }>();
  private readonly ttlSamples: string[] = [];
  private readonly bigKeys: TopN<BigKey>;
  private bigKeyCount = 0;
  private bigKeyBytes = 0;
  /** Every rule, with its run when the server has what the rule requires. */
  private readonly rules: { rule: AuditRule; run: RuleRun | undefined }[];

  constructor(settings: ReportSettings, capabilities: Capabilities) {
    this.settings = settings;
    this.tree = new PrefixTree(settings.prefixDepth, settings.maxPrefixChildren);
    this.bigKeys = new TopN(settings.top, (k) => k.bytes);
    this.rules = AUDIT_RULES.map((rule) => ({
      rule,
      run: !rule.requires || capabilities[rule.requires] ? rule.start(settings) : undefined,
    }));
  }

  /** Whether any rule wants this string's first bytes read. */
  wantsHead(record: KeyRecord): boolean {
    let wanted = false;
    for (const { run } of this.rules) if (run?.wantsHead?.(record)) wanted = true;
    return wanted;
  }

  observe(record: KeyRecord): void {
    const hasTtl = record.ttlMs >= 0;
    this.tree.add(record.key, record.bytes, hasTtl);
    const type = this.types.get(record.type) ?? { keys: 0, bytes: 0 };
    type.keys++;
    type.bytes += record.bytes;
    this.types.set(record.type, type);
    if (!hasTtl && this.ttlSamples.length < TTL_SAMPLES) this.ttlSamples.push(record.key);
    if (record.bytes >= this.settings.bigKeyBytes) {
      this.bigKeyCount++;
      this.bigKeyBytes += record.bytes;
      this.bigKeys.offer({
        key: record.key,
        type: record.type,
        bytes: record.bytes,
        ttlMs: record.ttlMs,
        ...(record.length !== undefined && record.type !== 'string' ? { length: record.length } : {}),
      });
    }
    for (const { run } of this.rules) run?.observe(record);
  }

  /**
   * The parts of the report computed from the keys; `sample` is set when the audit inspected only some keys.
   * Names (byte strings until now) are shown escaped where needed, with their raw bytes in `rawNames`.
   */
  finish(sample: Sample | undefined): ReportBody {
    const { top } = this.settings;
    const names = new NameBook();
    const show = (name: string) => names.show(name);
    const totals = this.tree.totals;
    const scale = sample
      ? (s: { keys: number; bytes: number; bytesSquared: number }) => {
          const group = { count: s.keys, sum: s.bytes, sumSquares: s.bytesSquared };
          return { estimatedKeys: estimateCount(group, sample), estimatedBytes: estimateSum(group, sample) };
        }
      : undefined;
    const findings: Finding[] = [];
    const rules: RuleStatus[] = [];
    for (const { rule, run } of this.rules) {
      const { id, severity, title, fix } = rule;
      if (!run) {
        rules.push({ rule: id, applied: false, reason: rule.reasonWhenMissing ?? `needs ${rule.requires}` });
        continue;
      }
      rules.push({ rule: id, applied: true });
      const result = run.finish();
      if (result) {
        const { prefixes, ...matched } = result;
        findings.push({
          rule: id,
          severity,
          title,
          ...matched,
          keys: matched.keys.map(show),
          ...(prefixes ? { prefixes: prefixes.map(show) } : {}),
          fix,
        });
      }
    }
    const withoutTtl = this.tree
      .partition()
      .filter((p) => p.keysWithoutTtl > 0)
      .sort((a, b) => b.bytesWithoutTtl - a.bytesWithoutTtl || b.keysWithoutTtl - a.keysWithoutTtl)
      .slice(0, top)
      .map((p) => ({ prefix: show(p.prefix), keys: p.keysWithoutTtl, bytes: p.bytesWithoutTtl }));
    return {
      totals: {
        scanned: totals.keys,
        bytes: totals.bytes,
        keysWithoutTtl: totals.keysWithoutTtl,
        ...(scale ? scale(totals) : {}),
      },
      prefixes: this.tree.toReport(top, show, scale),
      types: Object.fromEntries([...this.types.entries()].sort((a, b) => b[1].bytes - a[1].bytes)),
      withoutTtl: {
        keys: totals.keysWithoutTtl,
        bytes: totals.bytesWithoutTtl,
        topPrefixes: withoutTtl,
        samples: this.ttlSamples.map(show),
      },
      bigKeys: {
        thresholdBytes: this.settings.bigKeyBytes,
        keys: this.bigKeyCount,
        bytes: this.bigKeyBytes,
        top: this.bigKeys.values().map((k) => ({ ...k, key: show(k.key) })),
      },
      findings,
      rules,
      rawNames: names.rawNames(),
    };
  }
}
