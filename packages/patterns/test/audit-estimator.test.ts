import { describe, expect, it } from 'vitest';
import { estimateCount, estimateSum, Z95 } from '../src/audit/estimator.ts';

describe('audit sampling estimator', () => {
  it('is exact with no margin when every key was inspected', () => {
    const all = { inspected: 100, population: 100 };
    expect(estimateCount({ count: 30, sum: 3000, sumSquares: 300_000 }, all)).toEqual({ value: 30, low: 30, high: 30 });
    expect(estimateSum({ count: 30, sum: 3000, sumSquares: 300_000 }, all)).toEqual({
      value: 3000,
      low: 3000,
      high: 3000,
    });
  });

  it('scales a proportion to the population with the normal interval and finite-population correction', () => {
    const sample = { inspected: 1000, population: 100_000 };
    const estimate = estimateCount({ count: 250, sum: 0, sumSquares: 0 }, sample);
    const margin = Z95 * 100_000 * Math.sqrt((0.25 * 0.75) / 1000) * Math.sqrt(99_000 / 99_999);
    expect(estimate.value).toBe(25_000);
    expect(estimate.high - estimate.value).toBeCloseTo(margin, -1);
    expect(estimate.value - estimate.low).toBeCloseTo(margin, -1);
  });

  it('scales a byte sum with the sample variance of per-key bytes (zero for keys outside the group)', () => {
    // 10 of 20 sampled keys in the group, each 100 bytes: y = 100 ×10, 0 ×10; mean 50, variance 2500·20/19.
    const sample = { inspected: 20, population: 2000 };
    const estimate = estimateSum({ count: 10, sum: 1000, sumSquares: 100_000 }, sample);
    const variance = (100_000 - 20 * 50 * 50) / 19;
    const margin = Z95 * 2000 * Math.sqrt(variance / 20) * Math.sqrt(1980 / 1999);
    expect(estimate.value).toBe(100_000);
    expect(estimate.high).toBe(Math.round(100_000 + margin));
    expect(estimate.low).toBe(Math.round(100_000 - margin));
  });

  it('never reports a negative lower bound', () => {
    const estimate = estimateCount({ count: 1, sum: 10, sumSquares: 100 }, { inspected: 10, population: 1_000_000 });
    expect(estimate.low).toBe(0);
    expect(estimate.high).toBeGreaterThan(estimate.value);
  });
});
