import { describe, expect, it } from 'vitest';
import { keySlot } from '../src/cluster/key-slot.ts';
import { formatProgress, formatReport, type SessionCopyReport } from '../src/session/report.ts';

describe('keySlot', () => {
  // Values from the cluster specification and CLUSTER KEYSLOT (the suite checks more keys against a live cluster).
  it.each([
    ['foo', 12182],
    ['hello', 866],
    ['123456789', 12739],
  ])('%s → %d', (key, slot) => expect(keySlot(key)).toBe(slot));

  it('hashes only the first non-empty hash tag', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    // An empty first tag hashes the whole key; CLUSTER KEYSLOT on Redis 8.0.2 answered these.
    expect(keySlot('foo{}{bar}')).toBe(8363);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('foo{{bar}}zap')).toBe(4015);
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
  });
});

const report: SessionCopyReport = {
  scanned: 12_000,
  copied: 11_000,
  expired: 900,
  alreadyPresent: 97,
  ended: 0,
  vanished: 0,
  malformed: [
    { sid: 'a', reason: 'sess is not valid JSON' },
    { sid: 'b', reason: 'sess has no cookie object' },
    { sid: 'c', reason: 'no expire time' },
  ],
  dryRun: false,
  completed: true,
  resumedFrom: undefined,
  lastSid: 'zz',
  batches: 12,
  maxValueBytes: 102_400,
  tooLarge: [],
  ms: 2500,
};

describe('formatReport', () => {
  it('lists every count and the malformed ids', () => {
    const text = formatReport(report);
    expect(text).toContain('Copy finished: 12,000 rows in 2.50 s');
    expect(text).toMatch(/copied\s+11,000/);
    expect(text).toMatch(/expired \(skipped\)\s+900/);
    expect(text).toMatch(/already in Redis\s+97/);
    expect(text).toContain('b: sess has no cookie object');
    expect(text).not.toContain('deleted meanwhile');
    expect(text).not.toContain('ended in Redis');
    expect(text).toMatch(/too large\s+0/);
  });

  it('lists sessions too large to copy apart from malformed ones, with how to copy them', () => {
    const tooLarge = [
      { sid: 'big1', bytes: 150_000 },
      { sid: 'big2', bytes: 210_000 },
    ];
    const text = formatReport({ ...report, tooLarge }, { raiseLimit: (bytes) => `--max-value-bytes=${bytes}` });
    expect(text).toMatch(/too large\s+2/);
    expect(text).toContain('big2: 210,000 bytes');
    expect(text).toContain('over 102,400 bytes, not copied: each moves on its first request');
    expect(text).toContain('run again with --max-value-bytes=210000');
    expect(text).toMatch(/malformed\s+3/);
  });

  it('caps the ids listed and says how to resume a stopped run', () => {
    const text = formatReport({ ...report, completed: false, dryRun: true, resumedFrom: 'k' }, { maxIds: 2 });
    expect(text).toContain('Dry run stopped after zz (resumed after k)');
    expect(text).toMatch(/would copy\s+11,000/);
    expect(text).toContain('… and 1 more');
    expect(text).not.toContain('c: no expire time');
    expect(text).toContain('Run the copy again to resume');
  });

  it('formats progress as one line', () => {
    const { malformed: _, tooLarge: __, ...counts } = report;
    expect(formatProgress({ ...counts, malformed: 3, tooLarge: 0, total: 20_000 })).toBe(
      '12,000/20,000 sessions · copied 11,000 · expired 900 · already present 97 · malformed 3',
    );
    expect(formatProgress({ ...counts, ended: 4, malformed: 3, tooLarge: 2, total: 20_000 })).toContain(
      'malformed 3 · ended in Redis 4 · too large 2',
    );
  });
});
