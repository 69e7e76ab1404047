/**
 * Keeps every inspection script call short on the server, so a concurrent client never waits long behind the
 * audit. Each call inspects a slice of keys; the pacer sizes the slices from the measured cost per key, which the
 * script reports itself (its CPU time, `os.clock()`, which keeps running inside a script while TIME is frozen).
 * A slow slice shrinks the next at once; a fast one lets it grow, at most doubling per step. A server whose scripts
 * have no clock (Redis 7.0) reports -1 and keeps the initial size.
 */
export interface PacerLimits {
  /** Server time aimed for per command, in ms. */
  targetMs: number;
  /** Keys in the first slice, before anything was measured. */
  initial: number;
  min: number;
  max: number;
}

export const PACER_LIMITS: PacerLimits = { targetMs: 0.1, initial: 16, min: 4, max: 512 };

/** Weight of the newest measurement in the running cost per key. */
const SMOOTHING = 0.3;

export class Pacer {
  readonly limits: PacerLimits;
  /** Keys in the next slice. */
  size: number;
  /** Running cost per key in ms, once measured. */
  private perKeyMs: number | undefined;

  constructor(limits: Partial<PacerLimits> = {}) {
    this.limits = { ...PACER_LIMITS, ...limits };
    this.size = this.limits.initial;
  }

  /** A command that inspected `keys` keys took `ms` (negative: not measured). */
  record(keys: number, ms: number): void {
    if (keys <= 0 || !(ms >= 0)) return;
    const perKey = ms / keys;
    this.perKeyMs = this.perKeyMs === undefined ? perKey : (1 - SMOOTHING) * this.perKeyMs + SMOOTHING * perKey;
    const cost = Math.max(this.perKeyMs, perKey);
    const ideal = cost > 0 ? Math.floor(this.limits.targetMs / cost) : this.limits.max;
    this.size = Math.max(this.limits.min, Math.min(this.limits.max, ideal, this.size * 2));
  }
}
