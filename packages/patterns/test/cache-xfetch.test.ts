import { describe, expect, it, vi } from 'vitest';
import { earlyRecomputeProbability, shouldRecomputeEarly } from '../src/cache/xfetch.ts';

const base = { deltaMs: 100, expiresAt: 10_000, beta: 1 };

describe('XFetch early recomputation', () => {
  it('never recomputes before the expiry when the random draw is 1 (ln 1 = 0), always at or after it', () => {
    const random = () => 1;
    expect(shouldRecomputeEarly({ ...base, now: 9_999, random })).toBe(false);
    expect(shouldRecomputeEarly({ ...base, now: 10_000, random })).toBe(true);
    expect(shouldRecomputeEarly({ ...base, now: 12_000, random })).toBe(true);
  });

  it('recomputes exactly when -delta * beta * ln(r) reaches the time left', () => {
    // 200 ms left, delta 100, beta 1: the threshold is r = e^-2.
    const threshold = Math.exp(-2);
    expect(shouldRecomputeEarly({ ...base, now: 9_800, random: () => threshold * 0.999 })).toBe(true);
    expect(shouldRecomputeEarly({ ...base, now: 9_800, random: () => threshold * 1.001 })).toBe(false);
  });

  it('starts earlier for slow recomputations and for a larger beta', () => {
    const draw = () => Math.exp(-1); // -ln r = 1
    // 500 ms before expiry: delta 100 is too fast to start, delta 600 starts.
    expect(shouldRecomputeEarly({ ...base, now: 9_500, random: draw })).toBe(false);
    expect(shouldRecomputeEarly({ ...base, deltaMs: 600, now: 9_500, random: draw })).toBe(true);
    expect(shouldRecomputeEarly({ ...base, beta: 6, now: 9_500, random: draw })).toBe(true);
  });

  it('matches its probability, exp(-gap / (delta * beta)), over a deterministic sweep of draws', () => {
    const input = { ...base, now: 9_850 }; // 150 ms left
    const draws = 10_000;
    let early = 0;
    for (let i = 1; i <= draws; i++) if (shouldRecomputeEarly({ ...input, random: () => i / draws })) early++;
    const expected = earlyRecomputeProbability(input);
    expect(expected).toBeCloseTo(Math.exp(-1.5), 10);
    expect(early / draws).toBeCloseTo(expected, 3);
  });

  it('has probability 1 at the expiry and 0 without a recompute time', () => {
    expect(earlyRecomputeProbability({ ...base, now: 10_000 })).toBe(1);
    expect(earlyRecomputeProbability({ ...base, deltaMs: 0, now: 9_000 })).toBe(0);
  });

  it('draws from (0, 1] by default: Math.random() returning 0 does not make ln(0) force a recomputation', () => {
    // 1 s before the expiry only a draw of at most e^-10 recomputes; ln(0) = -Infinity would always do so.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      expect(shouldRecomputeEarly({ ...base, now: 9_000 })).toBe(false);
      expect(random).toHaveBeenCalledOnce();
    } finally {
      random.mockRestore();
    }
  });

  it('skips the default draw only where no draw could reach the expiry', () => {
    // The largest double below 1 makes the farthest default draw: -ln(2^-53) ≈ 36.74 times delta * beta.
    const random = vi.spyOn(Math, 'random').mockReturnValue(1 - 2 ** -53);
    try {
      expect(shouldRecomputeEarly({ ...base, now: 10_000 - 36.7 * 100 })).toBe(true);
      expect(random).toHaveBeenCalledOnce();
      expect(shouldRecomputeEarly({ ...base, now: 10_000 - 37 * 100 - 1 })).toBe(false);
      expect(random).toHaveBeenCalledOnce();
      // A source of the caller's own is always drawn from.
      expect(shouldRecomputeEarly({ ...base, now: 0, random: () => Number.MIN_VALUE })).toBe(true);
    } finally {
      random.mockRestore();
    }
  });
});
