/**
 * One row of the connect-pg-simple table, judged for the copy: a live session becomes the value connect-redis
 * would write (`JSON.stringify` of the session object under `sess:<sid>`) with its remaining lifetime as TTL;
 * an expired row is skipped; anything express-session could not load is reported as malformed, never copied; a
 * session over the size limit is reported as too large (it is loadable: the cutover store moves it on first use).
 */

/** A row as the legacy table reader returns it: the session JSON as text and its remaining lifetime in ms. */
export interface LegacyRow {
  sid: string;
  /** `sess::text`; null if the column was null. */
  sess: string | null;
  /** `expire` minus the database's clock, in ms; null if `expire` was null. */
  ttl_ms: number | null;
}

export type JudgedRow =
  | { kind: 'live'; sid: string; value: string; ttlMs: number }
  | { kind: 'expired'; sid: string }
  | { kind: 'too-large'; sid: string; bytes: number }
  | { kind: 'malformed'; sid: string; reason: string };

/** `maxBytes`: the largest session (as compact JSON, in UTF-8 bytes) reported live rather than too large. */
export function judgeRow(row: LegacyRow, maxBytes: number): JudgedRow {
  const { sid } = row;
  if (row.ttl_ms === null || !Number.isFinite(row.ttl_ms)) return { kind: 'malformed', sid, reason: 'no expire time' };
  // PX needs a whole number of at least 1 ms; anything less has expired by the time it would be written.
  const ttlMs = Math.floor(row.ttl_ms);
  if (ttlMs < 1) return { kind: 'expired', sid };
  if (row.sess === null) return { kind: 'malformed', sid, reason: 'sess is null' };
  let sess: unknown;
  try {
    sess = JSON.parse(row.sess);
  } catch {
    return { kind: 'malformed', sid, reason: 'sess is not valid JSON' };
  }
  if (typeof sess !== 'object' || sess === null || Array.isArray(sess)) {
    return { kind: 'malformed', sid, reason: 'sess is not a JSON object' };
  }
  // express-session reads sess.cookie on every load and throws without it.
  const cookie = (sess as { cookie?: unknown }).cookie;
  if (typeof cookie !== 'object' || cookie === null || Array.isArray(cookie)) {
    return { kind: 'malformed', sid, reason: 'sess has no cookie object' };
  }
  // Re-serialised, not copied: PostgreSQL's json type keeps the input's whitespace, connect-redis writes compact JSON.
  const value = JSON.stringify(sess);
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) return { kind: 'too-large', sid, bytes };
  return { kind: 'live', sid, value, ttlMs };
}
