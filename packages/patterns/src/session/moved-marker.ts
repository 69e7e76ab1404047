/**
 * The moved marker: once a session has been written to Redis from its PostgreSQL row (by the bulk copier or the
 * cutover store), a marker key says so until the row itself expires. While it lives the row never answers for
 * the session again, so a key that ends early (saved with an expired cookie, a shortened maxAge, a logout,
 * eviction) ends the session for good instead of bringing the older row back. A logout sets it to `ended`, which
 * a rollback (`resetCutover`) uses to delete rows whose delete could not be made while PostgreSQL was down.
 *
 * The marker lives in the session key's hash slot, so one script reads and writes both on a cluster too: its name
 * carries a hash tag chosen for that slot, `session-migration:moved:{<tag>}:<session key>`. Session keys keep
 * connect-redis' own names and may hold any characters, so the tag is looked up per slot, not derived from the key.
 *
 * Cost: one small key per moved session, for as long as its row would have lived (never longer).
 */
import { keySlot } from '../cluster/key-slot.ts';

export const MARKER_NAMESPACE = 'session-migration:moved:';

/** Marker values: written from a row, or ended by a logout. */
export const MOVED = 'moved';
export const ENDED = 'ended';

const SLOTS = 16384;
let tags: string[] | undefined;

/** The shortest base-36 string hashing to each slot (computed once: about 200,000 CRC16s of up to 4 bytes). */
function slotTags(): string[] {
  if (tags) return tags;
  const found: string[] = new Array(SLOTS);
  let missing = SLOTS;
  for (let n = 0; missing > 0; n++) {
    const tag = n.toString(36);
    const slot = keySlot(tag);
    if (found[slot] === undefined) {
      found[slot] = tag;
      missing--;
    }
  }
  tags = found;
  return found;
}

/** A short hash tag whose slot is `slot`. */
export function slotTag(slot: number): string {
  const tag = slotTags()[slot];
  if (tag === undefined) throw new RangeError(`no hash slot ${slot}: slots are 0 to ${SLOTS - 1}`);
  return tag;
}

/** The marker of `sessionKey` (`<prefix><sid>`), in the same slot. */
export function markerKey(sessionKey: string): string {
  return `${MARKER_NAMESPACE}{${slotTag(keySlot(sessionKey))}}:${sessionKey}`;
}

/** The session key a marker stands for. */
export function sessionKeyOfMarker(marker: string): string {
  return marker.slice(marker.indexOf('}:') + 2);
}

/** A SCAN MATCH glob for a literal text: `*`, `?`, `[`, `]` and `\` escaped. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** SCAN MATCH patterns for every session key under `prefix`, and for their markers. */
export function scanPatterns(prefix: string): { sessions: string; markers: string } {
  return {
    sessions: `${globLiteral(prefix)}*`,
    markers: `${globLiteral(MARKER_NAMESPACE)}{*}:${globLiteral(prefix)}*`,
  };
}

/**
 * Moves one session from its row: KEYS session key, marker; ARGV value, TTL in ms, '1' to have a present value
 * returned. Answers `{2}` written (with its marker, same TTL), `{1, value}` already in Redis (value only when
 * asked; never overwritten: it is at least as new), `{0}` ended in Redis (the marker outlived the key).
 */
export const MOVE_SCRIPT = `local present = redis.call('GET', KEYS[1])
if present then
  if ARGV[3] == '1' then return {1, present} end
  return {1}
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], '${MOVED}', 'PX', ARGV[2])
return {2}`;

/**
 * Ends one session: KEYS session key, marker; ARGV the TTL in ms for a marker that did not exist. A moved session's
 * marker turns `ended` and keeps its TTL (until the row would expire). A session never moved gets a short-lived
 * one, so a copy or a lookup that read its row just before cannot write it back. Answers how many keys were deleted.
 */
export const END_SCRIPT = `if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SET', KEYS[2], '${ENDED}', 'KEEPTTL')
else
  redis.call('SET', KEYS[2], '${ENDED}', 'PX', ARGV[1])
end
return redis.call('DEL', KEYS[1])`;

export type MoveOutcome = { kind: 'written' } | { kind: 'present'; value?: string } | { kind: 'ended' };

/** The MOVE script's reply. */
export function moveOutcome(reply: unknown): MoveOutcome {
  const [code, value] = reply as [number, string?];
  if (code === 2) return { kind: 'written' };
  if (code === 1) return value === undefined ? { kind: 'present' } : { kind: 'present', value };
  if (code === 0) return { kind: 'ended' };
  throw new Error(`unexpected reply from the session move script: ${JSON.stringify(reply)}`);
}
