/** One rewritten progress line on stderr when it is a terminal; nothing when piped or in CI. */
import type { AuditProgress } from '@redis-agent-kit/patterns';

export function progressLine(target: string, stream: NodeJS.WriteStream = process.stderr) {
  const live = stream.isTTY === true && !process.env.CI;
  let lastAt = 0;
  return {
    update(p: AuditProgress) {
      const now = performance.now();
      if (!live || now - lastAt < 100) return;
      lastAt = now;
      const percent = p.goal ? ` (${Math.min(100, Math.floor((100 * p.scanned) / p.goal))}%)` : '';
      const rate = p.elapsedMs > 0 ? Math.round((p.scanned * 1000) / p.elapsedMs) : 0;
      const text = `auditing ${target}: ${p.scanned.toLocaleString('en')}/${p.goal.toLocaleString('en')} keys${percent} · ${p.nodesDone}/${p.nodes} masters done · ${rate.toLocaleString('en')} keys/s`;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    done() {
      if (live && lastAt) stream.write('\r\x1b[2K');
    },
  };
}
