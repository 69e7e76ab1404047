/**
 * The Redis Cluster hash slot of a key (CRC16-XMODEM of the key, or of its `{hash tag}`, modulo 16384),
 * as CLUSTER KEYSLOT computes it. Keys are bytes: a name that is not valid UTF-8 hashes by its own bytes,
 * never by a decoded (U+FFFD-replaced) copy, which would land in another slot.
 */

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

const OPEN = 0x7b; // '{'
const CLOSE = 0x7d; // '}'

/** The bytes of the key that are hashed: the first non-empty `{…}` section, else the whole key. */
export function hashTag(key: string | Uint8Array): Uint8Array {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key;
  const open = bytes.indexOf(OPEN);
  if (open === -1) return bytes;
  const close = bytes.indexOf(CLOSE, open + 1);
  return close > open + 1 ? bytes.subarray(open + 1, close) : bytes;
}

export function keySlot(key: string | Uint8Array): number {
  return crc16(hashTag(key)) % 16384;
}
