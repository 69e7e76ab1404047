/** Where reports go and what is recorded beside every figure. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';

/** reports/ at the repository root, or RAK_REPORTS_DIR (tests that run the CLIs write elsewhere). */
export const REPORTS_DIR = process.env.RAK_REPORTS_DIR ?? join(import.meta.dirname, '..', '..', 'reports');

export interface MachineInfo {
  os: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  return {
    os: `${type()} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function writeReport(relativePath: string, content: string): string {
  const file = join(REPORTS_DIR, relativePath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A markdown table; cells are escaped for pipes. */
export function markdownTable(head: string[], rows: string[][]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The width terminal output should keep to: the terminal's, else $COLUMNS, else 120 (logs, pipes). */
export function terminalWidth(stream: { columns?: number } = process.stdout, env = process.env): number {
  return stream.columns || Number(env.COLUMNS) || 120;
}

/** `text` cut to `width` characters, the cut marked with `…`. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

const GAP = 2;
const MIN_COLUMN = 6;

/**
 * A fixed-width table for the terminal, at most `maxWidth` columns wide: while it is wider, the widest column
 * loses a character, and cells that no longer fit end in `…` (the reports keep the full text). Cells are one line.
 */
export function textTable(head: string[], rows: string[][], maxWidth = Number.POSITIVE_INFINITY): string {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');
  const all = [head, ...rows].map((r) => head.map((_, i) => oneLine(r[i] ?? '')));
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] as number) <= MIN_COLUMN) break;
    widths[widest] = (widths[widest] as number) - 1;
  }
  const line = (r: string[]) =>
    r
      .map((c, i) => truncate(c, widths[i] as number).padEnd(widths[i] as number))
      .join(' '.repeat(GAP))
      .trimEnd();
  const [first, ...rest] = all as [string[], ...string[][]];
  return [line(first), line(widths.map((w) => '-'.repeat(w))), ...rest.map(line)].join('\n');
}
