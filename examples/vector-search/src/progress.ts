/** Ingest progress as one line on a terminal (patterns' progressLine: nothing when piped or in CI). */
import { progressLine } from '@redis-agent-kit/patterns';

export function ingestProgress(label: string) {
  const line = progressLine();
  return {
    update: (done: number, total: number) =>
      line.update(`${label} ${done}/${total} (${Math.round((done / total) * 100)}%)`),
    done: () => line.done(),
  };
}
