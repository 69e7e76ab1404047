/**
 * The distributions redis-cli --keystats and RedisInsight show, kept in bounded memory while keys stream by:
 * percentiles of key sizes and of name lengths (a log-scale histogram: each value falls in a bucket 1/16 of a
 * doubling wide, so a percentile is off by at most 4.4%, reported as its bucket's upper end capped at the largest
 * value seen), keys by type with their average size and share, the biggest key of every type, and TTL buckets.
 */
import type { Distribution, KeyRecord, TtlBucket } from './types.ts';

/** Sub-buckets per doubling. */
const STEPS = 16;

export class LogHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private sum = 0;
  private min = Infinity;
  private max = 0;

  add(value: number): void {
    const bucket = value <= 1 ? 0 : Math.ceil(Math.log2(value) * STEPS);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
    this.sum += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
  }

  /** The value at percentile `p` (0–100): the upper end of its bucket, within the values seen. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket) as number;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, Math.round(2 ** (bucket / STEPS))));
    }
    return this.max;
  }

  summary(): Distribution {
    return {
      min: this.total ? this.min : 0,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.max,
      average: this.total ? Math.round(this.sum / this.total) : 0,
    };
  }
}

/** TTL buckets by time left: the upper bound of each, in ms; keys past the last go in an open bucket. */
const TTL_BOUNDS: { label: string; maxMs: number }[] = [
  { label: '< 1 minute', maxMs: 60_000 },
  { label: '< 1 hour', maxMs: 3_600_000 },
  { label: '< 1 day', maxMs: 86_400_000 },
  { label: '< 1 week', maxMs: 604_800_000 },
  { label: '< 30 days', maxMs: 2_592_000_000 },
];

export class TtlBuckets {
  private readonly buckets: TtlBucket[] = [
    ...TTL_BOUNDS.map(({ label, maxMs }) => ({ label, maxMs, keys: 0, bytes: 0 })),
    { label: '>= 30 days', maxMs: null, keys: 0, bytes: 0 },
  ];

  /** Counts a key with a TTL (keys without one are in the report's withoutTtl). */
  add(ttlMs: number, bytes: number): void {
    if (ttlMs < 0) return;
    const bucket = this.buckets.find((b) => b.maxMs === null || ttlMs < b.maxMs) as TtlBucket;
    bucket.keys++;
    bucket.bytes += bytes;
  }

  values(): TtlBucket[] {
    return this.buckets.map((b) => ({ ...b }));
  }
}

interface TypeTally {
  keys: number;
  bytes: number;
  biggest: KeyRecord;
}

/** Keys by type: count, bytes, and the biggest key of each. */
export class TypeStats {
  private readonly types = new Map<string, TypeTally>();

  add(record: KeyRecord): void {
    const tally = this.types.get(record.type);
    if (!tally) {
      this.types.set(record.type, { keys: 1, bytes: record.bytes, biggest: record });
      return;
    }
    tally.keys++;
    tally.bytes += record.bytes;
    if (record.bytes > tally.biggest.bytes) tally.biggest = record;
  }

  /** Types by bytes, largest first. */
  entries(): [string, TypeTally][] {
    return [...this.types.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  }
}
