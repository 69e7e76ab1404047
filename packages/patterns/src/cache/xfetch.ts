/**
 * XFetch, the optimal probabilistic early recomputation of Vattani, Chierichetti and Lowenstein
 * ("Optimal Probabilistic Cache Stampede Prevention", PVLDB 8(8), 2015).
 *
 * Each reader of a cached value decides on its own, without coordination, whether to recompute it before it
 * expires: it does so when `now - delta * beta * ln(random()) >= expiry`, where `delta` is how long the last
 * recomputation took. `-ln(random())` is an exponential variable, so the chance of an early recomputation grows
 * smoothly as the expiry approaches, and slow recomputations start earlier. With many readers, usually exactly
 * one of them recomputes shortly before the expiry, and nobody waits for a missing key.
 */

/** Returns a number in (0, 1]. Injectable so the decision is testable; Math.random() returns [0, 1). */
export type RandomSource = () => number;

/** 1 - Math.random(): in (0, 1], so ln() is finite. */
export const defaultRandom: RandomSource = () => 1 - Math.random();

export interface XFetchInput {
  /** Now, in epoch milliseconds. */
  now: number;
  /** How long the last recomputation of this value took, in milliseconds. */
  deltaMs: number;
  /** When the value logically expires, in epoch milliseconds. */
  expiresAt: number;
  /** > 1 favours earlier recomputation, < 1 later; the paper shows 1 is optimal for most workloads. */
  beta: number;
  random?: RandomSource;
}

/**
 * How far (in units of `deltaMs * beta`) the default source's draw can ever reach: `1 - Math.random()` is at least
 * 2^-53 (1 minus the largest double below 1), so `-ln` of it is at most 53 ln 2 ≈ 36.74; 37 leaves room for rounding.
 */
const DEFAULT_DRAW_REACH = 37;

/** The XFetch test: true when this reader should recompute now. Always true at or past the expiry. */
export function shouldRecomputeEarly({ now, deltaMs, expiresAt, beta, random = defaultRandom }: XFetchInput): boolean {
  // Farther from the expiry than any default draw reaches, the answer is false whatever the draw: skip drawing. Hits
  // are nearly all far from their expiry, and the draw (a random number and a logarithm) is a measurable part of one.
  if (random === defaultRandom && expiresAt - now > DEFAULT_DRAW_REACH * deltaMs * beta) return false;
  return now - deltaMs * beta * Math.log(random()) >= expiresAt;
}

/**
 * The probability that one reader recomputes at `now`: P(-ln U >= gap / (delta * beta)) = exp(-gap / (delta * beta))
 * for the time left `gap = expiresAt - now`. For tests and for reasoning about beta, not used on the hot path.
 */
export function earlyRecomputeProbability({ now, deltaMs, expiresAt, beta }: Omit<XFetchInput, 'random'>): number {
  const gap = expiresAt - now;
  if (gap <= 0) return 1;
  if (deltaMs <= 0 || beta <= 0) return 0;
  return Math.exp(-gap / (deltaMs * beta));
}
