/** What a bulk copy did, counted per row, and its one-screen summary. */

export interface MalformedSession {
  sid: string;
  reason: string;
}

export interface CopyCounts {
  /** Rows read from the table in this run. */
  scanned: number;
  /** Written to Redis (in a dry run: would be written). */
  copied: number;
  /** Skipped: their `expire` had passed. */
  expired: number;
  /** Skipped: the key was already in Redis, which is at least as new (the cutover store writes only there). */
  alreadyPresent: number;
  /** Copied, then found deleted from the table meanwhile (logged out or pruned), so removed from Redis again. */
  vanished: number;
  malformed: MalformedSession[];
}

export interface SessionCopyReport extends CopyCounts {
  dryRun: boolean;
  /** False when stopped by the caller's signal; run again to resume from `lastSid`. */
  completed: boolean;
  /** The checkpoint this run started after, if it resumed. */
  resumedFrom: string | undefined;
  /** The last sid fully handled. */
  lastSid: string | undefined;
  batches: number;
  ms: number;
}

export interface CopyProgress extends Omit<CopyCounts, 'malformed'> {
  malformed: number;
  /** Rows to scan in this run, counted at its start. */
  total: number;
}

/** `12345` → `12,345`, the same on every locale. */
const n = (value: number) => value.toLocaleString('en-US');

/** `9,999/10,000 sessions · copied 9,990 · expired 5 · already present 0 · malformed 4`. */
export function formatProgress(p: CopyProgress): string {
  return `${n(p.scanned)}/${n(p.total)} sessions · copied ${n(p.copied)} · expired ${n(p.expired)} · already present ${n(
    p.alreadyPresent,
  )} · malformed ${n(p.malformed)}`;
}

/** The final report as a few lines of text, malformed ids listed (the first `maxIds` of them). */
export function formatReport(report: SessionCopyReport, maxIds = 20): string {
  const row = (label: string, value: number) => `  ${label.padEnd(18)}${n(value)}`;
  const lines = [
    `${report.dryRun ? 'Dry run' : 'Copy'} ${report.completed ? 'finished' : `stopped after ${report.lastSid ?? 'no row'}`}` +
      `${report.resumedFrom === undefined ? '' : ` (resumed after ${report.resumedFrom})`}: ${n(report.scanned)} rows in ${(
        report.ms / 1000
      ).toFixed(2)} s`,
    row(report.dryRun ? 'would copy' : 'copied', report.copied),
    row('expired (skipped)', report.expired),
    row('already in Redis', report.alreadyPresent),
  ];
  if (report.vanished > 0) lines.push(row('deleted meanwhile', report.vanished));
  lines.push(row('malformed', report.malformed.length));
  for (const { sid, reason } of report.malformed.slice(0, maxIds)) lines.push(`    ${sid}: ${reason}`);
  if (report.malformed.length > maxIds) lines.push(`    … and ${n(report.malformed.length - maxIds)} more`);
  if (!report.completed) lines.push('Run the copy again to resume where it stopped.');
  return lines.join('\n');
}
