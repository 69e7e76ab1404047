/**
 * Replies Redis sends as a flat `[field, value, field, value, …]` array (RESP2 maps: HELLO, XINFO, COMMAND DOCS,
 * HSCAN pages, VINFO, FT.INFO): one parser for all of them. A trailing field without a value is left out; a
 * repeated field keeps its last value.
 */

function* fieldPairs(reply: unknown): Generator<[string, unknown]> {
  if (!Array.isArray(reply)) return;
  for (let i = 0; i + 1 < reply.length; i += 2) yield [String(reply[i]), reply[i + 1]];
}

/** A flat field/value reply as a Map; anything that is not an array (a nil reply) is an empty one. */
export function fieldMap(reply: unknown): Map<string, unknown> {
  return new Map(fieldPairs(reply));
}

/** The same as a plain object, for JSON answers; a field named `__proto__` is an own field like any other. */
export function fieldRecord<V = unknown>(reply: unknown): Record<string, V> {
  return Object.fromEntries(fieldPairs(reply)) as Record<string, V>;
}
