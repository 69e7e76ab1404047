/** The audit's progress as one line on a terminal (patterns' progressLine: nothing when piped or in CI). */
import { progressLine } from '@redis-agent-kit/patterns';
import type { AuditProgress } from '@redis-agent-kit/patterns/audit';

export function auditProgress(target: string) {
  const line = progressLine();
  return {
    update(p: AuditProgress) {
      const percent = p.goal ? ` (${Math.min(100, Math.floor((100 * p.scanned) / p.goal))}%)` : '';
      const rate = p.elapsedMs > 0 ? Math.round((p.scanned * 1000) / p.elapsedMs) : 0;
      line.update(
        `auditing ${target}: ${p.scanned.toLocaleString('en')}${p.goal === null ? '' : `/${p.goal.toLocaleString('en')}`} keys${percent} · ${p.nodesDone}/${p.nodes} masters done · ${rate.toLocaleString('en')} keys/s`,
      );
    },
    done: () => line.done(),
  };
}
