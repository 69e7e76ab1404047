/** What a bulk copy did, counted per row, and its one-screen summary. */

export interface MalformedSession {
  sid: string;
  reason: string;
}

export interface TooLargeSession {
  sid: string;
  /** Its size as compact JSON, in UTF-8 bytes. */
  bytes: number;
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
  /** Skipped: moved to Redis before and ended there since (logout, expiry, a shortened maxAge): never brought back. */
  ended: number;
  /** Copied, then found deleted from the table meanwhile (logged out or pruned), so removed from Redis again. */
  vanished: number;
  /** Never loadable by express-session: not copied. */
  malformed: MalformedSession[];
  /** Over `maxValueBytes`: not copied (the cutover store moves each on its first request; or raise the limit). */
  tooLarge: TooLargeSession[];
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
  /** The size limit this run applied (`maxValueBytes`). */
  maxValueBytes: number;
  ms: number;
}

export interface CopyProgress extends Omit<CopyCounts, 'malformed' | 'tooLarge'> {
  malformed: number;
  tooLarge: number;
  /** Rows to scan in this run, counted at its start. */
  total: number;
}

/** `12345` → `12,345`, the same on every locale. */
const n = (value: number) => value.toLocaleString('en-US');

/** `9,999/10,000 sessions · copied 9,990 · expired 5 · already present 0 · malformed 4`, plus what else happened. */
export function formatProgress(p: CopyProgress): string {
  const more = [
    p.ended > 0 ? ` · ended in Redis ${n(p.ended)}` : '',
    p.tooLarge > 0 ? ` · too large ${n(p.tooLarge)}` : '',
  ].join('');
  return `${n(p.scanned)}/${n(p.total)} sessions · copied ${n(p.copied)} · expired ${n(p.expired)} · already present ${n(
    p.alreadyPresent,
  )} · malformed ${n(p.malformed)}${more}`;
}

export interface FormatReportOptions {
  /** How many ids each list shows (default 20). */
  maxIds?: number;
  /** How the reader raises the size limit, e.g. `--max-value-bytes=N` (default `maxValueBytes: N`). */
  raiseLimit?: (bytes: number) => string;
}

/** The final report as a few lines of text, malformed and too-large ids listed (the first `maxIds` of each). */
export function formatReport(report: SessionCopyReport, options: FormatReportOptions = {}): string {
  const maxIds = options.maxIds ?? 20;
  const raiseLimit = options.raiseLimit ?? ((bytes: number) => `maxValueBytes: ${bytes}`);
  const row = (label: string, value: number) => `  ${label.padEnd(18)}${n(value)}`;
  const ids = <T extends { sid: string }>(list: T[], describe: (item: T) => string) => {
    for (const item of list.slice(0, maxIds)) lines.push(`    ${item.sid}: ${describe(item)}`);
    if (list.length > maxIds) lines.push(`    … and ${n(list.length - maxIds)} more`);
  };
  const lines = [
    `${report.dryRun ? 'Dry run' : 'Copy'} ${report.completed ? 'finished' : `stopped after ${report.lastSid ?? 'no row'}`}` +
      `${report.resumedFrom === undefined ? '' : ` (resumed after ${report.resumedFrom})`}: ${n(report.scanned)} rows in ${(
        report.ms / 1000
      ).toFixed(2)} s`,
    row(report.dryRun ? 'would copy' : 'copied', report.copied),
    row('expired (skipped)', report.expired),
    row('already in Redis', report.alreadyPresent),
  ];
  if (report.ended > 0) lines.push(row('ended in Redis', report.ended));
  if (report.vanished > 0) lines.push(row('deleted meanwhile', report.vanished));
  lines.push(row('malformed', report.malformed.length));
  ids(report.malformed, (m) => m.reason);
  lines.push(row('too large', report.tooLarge.length));
  if (report.tooLarge.length > 0) {
    const largest = Math.max(...report.tooLarge.map((t) => t.bytes));
    lines.push(
      `    over ${n(report.maxValueBytes)} bytes, not copied: each moves on its first request while the cutover store runs;` +
        ` to copy them all, run again with ${raiseLimit(largest)}`,
    );
    ids(report.tooLarge, (t) => `${n(t.bytes)} bytes`);
  }
  if (!report.completed) lines.push('Run the copy again to resume where it stopped.');
  return lines.join('\n');
}
