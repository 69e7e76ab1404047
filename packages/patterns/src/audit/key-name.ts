/**
 * Key names are bytes. Inside the audit a name is kept as a "byte string": a JS string with one char per byte
 * (latin1), which is lossless for any bytes, keeps `length` equal to the byte length, and lets prefixes, maps and
 * separators work unchanged. It becomes a Buffer again only to be sent back to the server.
 *
 * Names are shown the way redis-cli shows them, so any name can be printed and told apart from others:
 * a name that is valid UTF-8 without control characters (and does not start with `"`) is shown as it is; any
 * other is shown quoted, with `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b` and `\xhh` for every byte that is not part
 * of a printable UTF-8 character (`"bigbin:\xff\xfe"`). Escaping is one-to-one, so `keyNameBytes` recovers the
 * bytes; the report also lists the raw bytes of every escaped name in base64 (`rawNames`).
 */

/** A key name as a byte string: one char per byte (latin1). */
export type ByteString = string;

export function byteString(bytes: Buffer): ByteString {
  return bytes.toString('latin1');
}

export function bytesOf(name: ByteString): Buffer {
  return Buffer.from(name, 'latin1');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Characters never printed raw: C0 and C1 controls, DEL, and the bidirectional overrides and isolates that make a
 * terminal show text in another order than it is stored.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

const SHORT_ESCAPES: Record<number, string> = {
  0x5c: '\\\\',
  0x22: '\\"',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x07: '\\a',
  0x08: '\\b',
};

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Length of the valid UTF-8 sequence starting at `at`, or 0 when the byte there does not start one. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at] as number;
  const length =
    first < 0x80
      ? 1
      : first >= 0xc2 && first <= 0xdf
        ? 2
        : first >= 0xe0 && first <= 0xef
          ? 3
          : first >= 0xf0 && first <= 0xf4
            ? 4
            : 0;
  if (length <= 1 || at + length > bytes.length) return length === 1 ? 1 : 0;
  return utf8(bytes.subarray(at, at + length)) === undefined ? 0 : length;
}

/** How a key name (bytes, or a byte string) is shown: as it is, or quoted and escaped like redis-cli. */
export function displayKeyName(name: Uint8Array | ByteString): string {
  const bytes = typeof name === 'string' ? bytesOf(name) : name;
  const text = utf8(bytes);
  if (text !== undefined && !UNSAFE.test(text) && !text.startsWith('"')) return text;
  let out = '"';
  for (let at = 0; at < bytes.length;) {
    const byte = bytes[at] as number;
    const short = SHORT_ESCAPES[byte];
    if (short) {
      out += short;
      at++;
      continue;
    }
    const length = sequenceLength(bytes, at);
    const char = length ? (utf8(bytes.subarray(at, at + length)) as string) : '';
    if (length && !UNSAFE.test(char)) {
      out += char;
      at += length;
    } else {
      // A control character or a byte outside valid UTF-8: each byte as \xhh, as redis-cli prints it.
      for (const b of bytes.subarray(at, at + Math.max(1, length))) out += `\\x${b.toString(16).padStart(2, '0')}`;
      at += Math.max(1, length);
    }
  }
  return `${out}"`;
}

/** Whether a shown name is the quoted, escaped form (its bytes differ from its text). */
export function isEscapedKeyName(shown: string): boolean {
  return shown.startsWith('"');
}

const UNESCAPE: Record<string, number> = { '\\': 0x5c, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, b: 0x08 };

/** The bytes of a name as `displayKeyName` showed it. */
export function keyNameBytes(shown: string): Buffer {
  if (!isEscapedKeyName(shown)) return Buffer.from(shown, 'utf8');
  if (shown.length < 2 || !shown.endsWith('"')) throw new SyntaxError(`not a quoted key name: ${shown}`);
  const body = shown.slice(1, -1);
  const parts: Buffer[] = [];
  let plain = '';
  const flush = () => {
    if (plain) parts.push(Buffer.from(plain, 'utf8'));
    plain = '';
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char !== '\\') {
      plain += char;
      continue;
    }
    const next = body[i + 1] ?? '';
    if (next === 'x' && /^[0-9a-f]{2}$/i.test(body.slice(i + 2, i + 4))) {
      flush();
      parts.push(Buffer.from([Number.parseInt(body.slice(i + 2, i + 4), 16)]));
      i += 3;
    } else if (next in UNESCAPE) {
      flush();
      parts.push(Buffer.from([UNESCAPE[next] as number]));
      i += 1;
    } else {
      throw new SyntaxError(`unknown escape \\${next} in ${shown}`);
    }
  }
  flush();
  return Buffer.concat(parts);
}

/**
 * Shows byte-string names for a report and remembers the raw bytes (base64) of each name that had to be escaped,
 * so a reader of the JSON can act on exactly that key.
 */
export class NameBook {
  private readonly raw = new Map<string, string>();

  show(name: ByteString): string {
    const shown = displayKeyName(name);
    if (isEscapedKeyName(shown)) this.raw.set(shown, bytesOf(name).toString('base64'));
    return shown;
  }

  /** Every escaped name shown so far → its bytes in base64. */
  rawNames(): Record<string, string> {
    return Object.fromEntries([...this.raw].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
