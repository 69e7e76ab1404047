/** Choosing VSIM's EF from the index size and a recall target, on a measured calibration table. */
import { describe, expect, it } from 'vitest';
import { EF_CALIBRATION, type EfCalibrationRow, efForRecall } from '../src/vector/ef.ts';
import { vsimCommand } from '../src/vector/vector-set-index.ts';

const table: EfCalibrationRow[] = [
  { size: 10_000, recallByEf: { 100: 0.99, 200: 0.995 } },
  { size: 100_000, recallByEf: { 100: 0.93, 150: 0.955, 200: 0.976, 400: 0.99 } },
];

describe('efForRecall', () => {
  it('takes the smallest measured EF meeting the target at the next measured size up', () => {
    expect(efForRecall(300, 0.95, 10, table)).toBe(100);
    expect(efForRecall(10_000, 0.95, 10, table)).toBe(100);
    expect(efForRecall(10_001, 0.95, 10, table)).toBe(150);
    expect(efForRecall(100_000, 0.97, 10, table)).toBe(200);
    expect(efForRecall(100_000, 0.99, 10, table)).toBe(400);
  });

  it('uses the largest row past the table, the largest EF for a target none meets, and never less than k', () => {
    expect(efForRecall(5_000_000, 0.95, 10, table)).toBe(150);
    expect(efForRecall(100_000, 0.999, 10, table)).toBe(400);
    expect(efForRecall(10, 0.5, 500, table)).toBe(500);
  });

  it('refuses a recall target outside (0, 1]', () => {
    for (const recall of [0, -1, 1.5, Number.NaN]) expect(() => efForRecall(10, recall, 10, table)).toThrow(RangeError);
  });

  it('ships a measured table in increasing size, each row with recall rising with EF', () => {
    expect(EF_CALIBRATION.length).toBeGreaterThan(0);
    const sizes = EF_CALIBRATION.map((row) => row.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    for (const row of EF_CALIBRATION) {
      for (const recall of Object.values(row.recallByEf)) expect(recall).toBeGreaterThan(0);
    }
  });
});

describe('VSIM EF', () => {
  it('is sent as given, and refused unless a positive integer', () => {
    const blob = Buffer.alloc(8);
    expect(vsimCommand('k', blob, { k: 10, ef: 150 }).args.slice(-2)).toEqual(['EF', '150']);
    for (const ef of [0, 1.5, -3])
      expect(() => vsimCommand('k', blob, { ef })).toThrow(/ef must be a positive integer/);
  });
});
