/** /readyz: every dependency the configured store uses answers, each within a time limit. */
import { withTimeout } from '@redis-agent-kit/patterns';

export type Probe = () => Promise<void>;

export interface Readiness {
  ready: boolean;
  /** Names of the dependencies that did not answer. */
  down: string[];
  checks: Record<string, { ok: true; ms: number } | { ok: false; error: string }>;
}

export async function readiness(probes: Record<string, Probe>, timeoutMs = 1000): Promise<Readiness> {
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
  const down = entries.filter(([, check]) => !check.ok).map(([name]) => name);
  return { ready: down.length === 0, down, checks: Object.fromEntries(entries) };
}
