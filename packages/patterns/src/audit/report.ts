/**
 * Report assembly: every inspected key passes through `observe` once; `finish` turns the running totals into
 * the report (prefix tree, types, distributions, TTL buckets, keys without TTL, big keys, findings, and estimates
 * when the audit sampled). The first DETECT_KEYS keys wait in a buffer until the separators are known (detected from
 * their names, unless given); every key is then split by its own separator.
 */
import type { Capabilities } from '../capabilities.ts';
import { estimateCount, estimateSum, plusExact, type Sample } from './estimator.ts';
import { NameBook } from './key-name.ts';
import { LogHistogram, TtlBuckets, TypeStats } from './key-stats.ts';
import { type PrefixStats, PrefixTree } from './prefix-tree.ts';
import { AUDIT_RULES, type AuditRule, type RuleRun } from './rules/index.ts';
import { DETECT_KEYS, SEPARATOR_CANDIDATES, Separators } from './separators.ts';
import { TopN } from './top-keys.ts';
import type { AuditReport, BigKey, Finding, KeyRecord, RuleStatus, TypeReport } from './types.ts';

const TTL_SAMPLES = 10;

export interface ReportSettings {
  prefixDepth: number;
  maxPrefixChildren: number;
  top: number;
  bigKeyBytes: number;
  largeCollectionLength: number;
  hugeValueBytes: number;
  /** The caller's separators, or undefined to detect them. */
  separators: string[] | undefined;
}

/** The parts of the report computed from the keys (the rest is about the server and the run). */
export type ReportBody = Pick<
  AuditReport,
  | 'separators'
  | 'prefixes'
  | 'types'
  | 'keySizes'
  | 'nameLengths'
  | 'ttlBuckets'
  | 'withoutTtl'
  | 'bigKeys'
  | 'findings'
  | 'rules'
  | 'rawNames'
> & {
  totals: Pick<AuditReport['totals'], 'scanned' | 'bytes' | 'keysWithoutTtl' | 'estimatedKeys' | 'estimatedBytes'>;
};

function bigKey(record: KeyRecord): BigKey {
  return {
    key: record.key,
    type: record.type,
    bytes: record.bytes,
    ttlMs: record.ttlMs,
    ...(record.length !== undefined && record.type !== 'string' ? { length: record.length } : {}),
  };
}

export class ReportBuilder {
  private readonly settings: ReportSettings;
  private readonly tree: PrefixTree;
  private readonly types = new TypeStats();
  private readonly sizes = new LogHistogram();
  private readonly nameLengths = new LogHistogram();
  private readonly ttl = new TtlBuckets();
  private readonly ttlSamples: string[] = [];
  private readonly bigKeys: TopN<BigKey>;
  private bigKeyCount = 0;
  private bigKeyBytes = 0;
  /** Keys split by each separator, and keys without one. */
  private readonly bySeparator = new Map<string | undefined, number>();
  /** Every rule, with its run when the server has what the rule requires. */
  private readonly rules: { rule: AuditRule; run: RuleRun | undefined }[];
  /** Known once DETECT_KEYS names were seen (or at once when given); until then keys wait in `pending`. */
  private separators: Separators | undefined;
  private readonly pending: KeyRecord[] = [];

  constructor(settings: ReportSettings, capabilities: Capabilities) {
    this.settings = settings;
    this.tree = new PrefixTree(settings.prefixDepth, settings.maxPrefixChildren);
    this.bigKeys = new TopN(settings.top, (k) => k.bytes);
    if (settings.separators) this.separators = new Separators(settings.separators, false);
    this.rules = AUDIT_RULES.map((rule) => ({
      rule,
      run: !rule.requires || capabilities[rule.requires] ? rule.start(settings) : undefined,
    }));
  }

  /** Whether any rule wants this string's first bytes read (asked before the separators may be known). */
  wantsHead(record: KeyRecord): boolean {
    record.separator = (this.separators ?? PROVISIONAL).of(record.key);
    let wanted = false;
    for (const { run } of this.rules) if (run?.wantsHead?.(record)) wanted = true;
    return wanted;
  }

  observe(record: KeyRecord): void {
    if (this.separators) {
      this.count(record);
      return;
    }
    this.pending.push(record);
    if (this.pending.length >= DETECT_KEYS) this.settle();
  }

  /** Fixes the separators from the names seen so far and counts the keys that waited. */
  private settle(): void {
    this.separators ??= Separators.detect(this.pending.map((r) => r.key));
    for (const record of this.pending.splice(0)) this.count(record);
  }

  private count(record: KeyRecord): void {
    const separator = (this.separators as Separators).of(record.key);
    record.separator = separator;
    this.bySeparator.set(separator, (this.bySeparator.get(separator) ?? 0) + 1);
    const hasTtl = record.ttlMs >= 0;
    this.tree.add(record.key, separator, record.bytes, hasTtl, record.tail === true);
    this.types.add(record);
    this.sizes.add(record.bytes);
    this.nameLengths.add(record.key.length);
    this.ttl.add(record.ttlMs, record.bytes);
    if (!hasTtl && this.ttlSamples.length < TTL_SAMPLES) this.ttlSamples.push(record.key);
    if (record.bytes >= this.settings.bigKeyBytes) {
      this.bigKeyCount++;
      this.bigKeyBytes += record.bytes;
      this.bigKeys.offer(bigKey(record));
    }
    for (const { run } of this.rules) run?.observe(record);
  }

  /**
   * The parts of the report computed from the keys; `sample` is set when the audit inspected only some keys.
   * Names (byte strings until now) are shown escaped where needed, with their raw bytes in `rawNames`.
   */
  finish(sample: (Sample & { exact?: { keys: number; bytes: number } }) | undefined): ReportBody {
    this.settle();
    const separators = this.separators as Separators;
    const { top } = this.settings;
    const names = new NameBook();
    const show = (name: string) => names.show(name);
    const totals = this.tree.totals;
    // A group's tail keys are counted exactly; its other keys are estimated from the random sample.
    const scale = sample
      ? (s: PrefixStats) => {
          const sampled = {
            count: s.keys - s.tailKeys,
            sum: s.bytes - s.tailBytes,
            sumSquares: s.bytesSquared - s.tailBytesSquared,
          };
          return {
            estimatedKeys: plusExact(estimateCount(sampled, sample), s.tailKeys),
            estimatedBytes: plusExact(estimateSum(sampled, sample), s.tailBytes),
          };
        }
      : undefined;
    const exactly = (value: number) => ({ value, low: value, high: value });
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
      .map((p) => ({
        prefix: show(p.prefix),
        ...(p.separator ? { separator: p.separator } : {}),
        keys: p.keysWithoutTtl,
        bytes: p.bytesWithoutTtl,
      }));
    const types = Object.fromEntries(
      this.types.entries().map(([type, t]): [string, TypeReport] => [
        type,
        {
          keys: t.keys,
          bytes: t.bytes,
          share: totals.keys ? t.keys / totals.keys : 0,
          averageBytes: Math.round(t.bytes / t.keys),
          biggest: { ...bigKey(t.biggest), key: show(t.biggest.key) },
        },
      ]),
    );
    return {
      totals: {
        scanned: totals.keys,
        bytes: totals.bytes,
        keysWithoutTtl: totals.keysWithoutTtl,
        ...(sample?.exact
          ? { estimatedKeys: exactly(sample.exact.keys), estimatedBytes: exactly(sample.exact.bytes) }
          : scale
            ? scale(totals)
            : {}),
      },
      separators: {
        source: separators.detected ? 'detected' : 'given',
        used: separators.list.map((separator) => ({ separator, keys: this.bySeparator.get(separator) ?? 0 })),
        keysWithout: this.bySeparator.get(undefined) ?? 0,
      },
      prefixes: this.tree.toReport(top, show, scale),
      types,
      keySizes: this.sizes.summary(),
      nameLengths: this.nameLengths.summary(),
      ttlBuckets: this.ttl.values(),
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

/** Before the separators are known: every candidate, so a rule asking early still sees the key's likely parent. */
const PROVISIONAL = new Separators(SEPARATOR_CANDIDATES, true);
