/**
 * /readyz: every dependency the configured store uses answers, each within a time limit. A dependency the store can
 * work without for a while (PostgreSQL under the cutover store: logins, logouts and moved sessions need only Redis)
 * is optional: its failure is listed under `degraded` and the instance stays ready.
 */
import { withTimeout } from '@redis-agent-kit/patterns';

export type Probe = () => Promise<void>;

export interface Readiness {
  ready: boolean;
  /** Required dependencies that did not answer. */
  down: string[];
  /** Optional dependencies that did not answer. */
  degraded: string[];
  checks: Record<string, { ok: true; ms: number } | { ok: false; error: string }>;
}

export async function readiness(
  probes: Record<string, Probe>,
  options: { optional?: readonly string[]; timeoutMs?: number } = {},
): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      const started = performance.now();
      try {
        await withTimeout(probe(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
        return [name, { ok: true as const, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [name, { ok: false as const, error: (error as Error).message }] as const;
      }
    }),
  );
  const failed = entries.filter(([, check]) => !check.ok).map(([name]) => name);
  const optional = new Set(options.optional ?? []);
  const down = failed.filter((name) => !optional.has(name));
  const degraded = failed.filter((name) => optional.has(name));
  return { ready: down.length === 0, down, degraded, checks: Object.fromEntries(entries) };
}
