/** The benchmark runner's arithmetic: alternating rounds, paired ratios with their spread, and run comparison. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alternatingRounds,
  betterOf,
  compare,
  formatRatio,
  measured,
  median,
  ROUNDS,
} from '../../src/bench/benchmark.ts';
import { compareRuns, readSavedRun } from '../../src/bench/compare-runs.ts';

describe('alternatingRounds', () => {
  it('runs every subject once a round, alternating the order, and drops the warm-up round', async () => {
    const calls: string[] = [];
    let n = 0;
    const subject = (name: string) => async () => {
      calls.push(name);
      return n++;
    };
    const rounds = await alternatingRounds({ a: subject('a'), b: subject('b') }, { warmup: 1, measured: 5 });
    expect(calls.join('')).toBe('abbaabbaabba');
    expect(rounds).toEqual({ a: [3, 4, 7, 8, 11], b: [2, 5, 6, 9, 10] });
    expect(ROUNDS.measured).toBeGreaterThanOrEqual(5);
    expect(ROUNDS.warmup).toBeGreaterThanOrEqual(1);
  });
});

describe('compare', () => {
  const anchor = measured('raw GET (anchor)', 'ops/s', 'ops/s', [100, 50, 100, 100, 100]);

  it('pairs the rounds: the ratio is the median of the per-round ratios, with their min and max', () => {
    // Round 2 ran while the machine was busy for both: paired, it does not move the ratio.
    const row = compare(measured('cache hit', 'ops/s', 'ops/s', [90, 45, 92, 88, 91]), anchor, { min: 0.9 });
    expect(row.value).toBe(90);
    expect(row.ratio).toBeCloseTo(0.9, 5);
    expect(row.ratioRange).toEqual([0.88, 0.92]);
    expect(row.met).toBe(true);
    expect(row.better).toBe('higher');
    expect(formatRatio(row)).toBe('0.90 (0.88–0.92)');
  });

  it('divides exact figures once, and judges lower-is-better units the other way', () => {
    const bytes = compare(
      { subject: 'gcra', metric: 'memory per key', value: 72, unit: 'bytes' },
      { subject: 'rlflx', metric: 'memory per key', value: 96, unit: 'bytes' },
      { max: 1 },
    );
    expect(bytes).toMatchObject({ ratio: 0.75, met: true, better: 'lower' });
    expect(bytes.ratioRange).toBeUndefined();
    expect(formatRatio(bytes)).toBe('0.75');
    expect(betterOf({ unit: 'sessions/s' })).toBe('higher');
    expect(betterOf({ unit: 'sessions' })).toBe('lower');
    expect(betterOf({ unit: 'tokens (chars/4)' })).toBe('lower');
    expect(betterOf({ unit: '' })).toBe('higher');
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});

describe('compareRuns', () => {
  const anchor = measured('raw GET (anchor)', 'ops/s', 'ops/s', [100, 100, 100, 100, 100]);
  const cache = (rounds: number[]) => compare(measured('cache hit', 'ops/s', 'ops/s', rounds), anchor);
  const memkeys = measured('memkeys', 'time', 's', [10, 10, 10, 10, 10]);
  const time = (rounds: number[]) => compare(measured('audit', 'time', 's', rounds), memkeys);
  const run = (...rows: ReturnType<typeof cache>[]) => [{ id: 'products-cache', target: 'redis-8', rows }];

  it("calls a change only when the round ranges do not overlap, in the metric's direction", () => {
    const before = run(anchor, cache([80, 82, 84, 86, 88]), time([5, 5, 5, 5, 5]));
    const now = run(anchor, cache([87, 89, 90, 91, 92]), time([6, 6, 6, 6, 6]));
    expect(compareRuns(before, now).map((c) => [c.subject, c.change])).toEqual([
      ['cache hit', 'within spread'],
      ['audit', 'worse'],
    ]);
    const faster = run(cache([90, 91, 92, 93, 94]));
    expect(compareRuns(before, faster)[0]).toMatchObject({
      change: 'better',
      before: '0.84 (0.80–0.88)',
      now: '0.92 (0.90–0.94)',
    });
    expect(compareRuns([], faster)[0]?.change).toBe('new');
    // The same subject and metric against another anchor is another ratio.
    const other = cache([50, 50, 50, 50, 50]);
    const otherAnchor = run(compare(measured('cache hit', 'ops/s', 'ops/s', [90, 91, 92, 93, 94]), other));
    expect(compareRuns(before, otherAnchor)[0]?.change).toBe('new');
  });

  it('reads a saved summary.json or a single record, and says what it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rak-bench-compare-'));
    try {
      const summary = join(dir, 'summary.json');
      writeFileSync(summary, JSON.stringify({ results: [{ id: 'x', target: 'redis-8', rows: [] }] }));
      expect(readSavedRun(summary)).toEqual([{ id: 'x', target: 'redis-8', rows: [] }]);
      const record = join(dir, 'x.redis-8.json');
      writeFileSync(record, JSON.stringify({ id: 'x', target: { name: 'redis-8' }, rows: [anchor] }));
      expect(readSavedRun(record)).toEqual([{ id: 'x', target: 'redis-8', rows: [anchor] }]);
      writeFileSync(summary, '{"nothing": 1}');
      expect(() => readSavedRun(summary)).toThrow(/not a bench summary\.json/);
      expect(() => readSavedRun(join(dir, 'missing.json'))).toThrow(/--compare .*missing\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
