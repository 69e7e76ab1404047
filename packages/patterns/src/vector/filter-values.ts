/**
 * One filter value written in each backend's filter language, or refused with a RangeError that says why. The two
 * languages read less than JavaScript prints: a vector set `FILTER` reads a number as digits, `.`, `e` and a leading
 * `-` only, at most 255 characters (so `1e-7` and `1e+21` are syntax errors there), and the FT query lexer reads
 * `-`? digits (`.` digits)? (`e` `-`? digits)? (so `1e+21` is one there). Both read strings through C: a NUL ends
 * them early. Every value is rendered so the server reads back exactly the value given, or refused.
 */
import { isWellFormed } from './items.ts';

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A vector set `FILTER` number token is read into a 256-byte buffer: 255 characters at most. */
const VSET_MAX_NUMBER_CHARS = 255;

/** An attribute name usable in both languages: letters, digits, `_`; never `__proto__`, which JavaScript objects drop or treat as their prototype. */
export function checkFieldName(name: string): string {
  if (!FIELD_NAME.test(name)) {
    throw new RangeError(`Filter field "${name}" is not a plain attribute name (letters, digits, _)`);
  }
  if (name === '__proto__') throw new RangeError('Filter field "__proto__" is refused: name the attribute otherwise');
  return name;
}

/** Refuses text the servers cannot read back as given: NUL (C strings end there) and lone UTF-16 surrogates. */
export function checkFilterText(value: string, field: string): string {
  if (value.includes('\0')) throw new RangeError(`Filter value on "${field}" contains a NUL character`);
  if (!isWellFormed(value)) {
    throw new RangeError(
      `Filter value on "${field}" is not well-formed UTF-16 (a lone surrogate): it has no UTF-8 form`,
    );
  }
  return value;
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`Filter value ${value} on "${field}" is not a finite number`);
}

/**
 * `-1.25e-7` as `-0.000000125`: the same digits JavaScript's shortest round-trip form chose, moved past the point,
 * so a correctly rounding parser (strtod) reads back the same double.
 */
function plainDecimal(exponential: string): string {
  const negative = exponential.startsWith('-');
  const [mantissa = '', exponent = '0'] = exponential.replace(/^-/, '').split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}

/**
 * A number as a vector set `FILTER` token: JavaScript's shortest form when it has no exponent, `1e21` for `1e+21`,
 * and a plain decimal for a negative exponent. `-0` is written `0` (they compare equal). A number whose plain
 * decimal needs more than 255 characters (magnitudes below about 1e-236) is refused: no token can hold it.
 */
export function vsetNumber(value: number, field: string): string {
  checkFinite(value, field);
  const text = String(value);
  const token = text.includes('e-') ? plainDecimal(text) : text.replace('e+', 'e');
  if (token.length > VSET_MAX_NUMBER_CHARS) {
    throw new RangeError(
      `Filter value ${text} on "${field}" cannot be written in a vector set FILTER (its numbers are plain decimals of at most ${VSET_MAX_NUMBER_CHARS} characters): use 0 or a value of magnitude 1e-200 or more`,
    );
  }
  return token;
}

/**
 * A string literal for a vector set filter. The server's tokenizer skips a backslash and the character after it
 * but does not unescape, so a quote cannot be escaped: the literal is wrapped in whichever quote it lacks.
 */
export function vsetString(value: string, field: string): string {
  checkFilterText(value, field);
  if (value.includes('\\')) throw new RangeError(`Filter value ${JSON.stringify(value)} contains a backslash`);
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw new RangeError(`Filter value ${JSON.stringify(value)} contains both quote characters`);
}

export function vsetLiteral(value: string | number | boolean, field: string): string {
  if (typeof value === 'string') return vsetString(value, field);
  // The server compares booleans as 1 and 0.
  if (typeof value === 'boolean') return value ? '1' : '0';
  return vsetNumber(value, field);
}

/** A number as the FT query lexer reads it: JavaScript's shortest form without the `+` of a positive exponent. */
export function ftNumber(value: number, field: string): string {
  checkFinite(value, field);
  return String(value).replace('e+', 'e');
}

/** ASCII punctuation and whitespace: what the FT lexer treats as syntax, each escaped with a backslash. */
const FT_SYNTAX = /[!-/:-@[-`{-~\t\n\v\f\r ]/g;
/** A control character other than whitespace: the FT lexer can escape only punctuation and spaces. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && (code < 0x09 || code > 0x0d)) || code === 0x7f) return true;
  }
  return false;
}

/**
 * A tag value for an FT query, escaped code point by code point: ASCII punctuation and whitespace get a backslash,
 * everything else (letters of any script, emoji) is written as it is, so a surrogate pair is never split. An empty
 * value is refused (`{}` is a syntax error, and a TAG field indexes no empty value), as are control characters.
 */
export function escapeTag(value: string, field = 'tag'): string {
  checkFilterText(value, field);
  if (value === '')
    throw new RangeError(`Filter on "${field}" has an empty tag value: an FT TAG field never holds one`);
  if (hasControl(value)) throw new RangeError(`Filter value on "${field}" contains a control character`);
  return value.replace(FT_SYNTAX, (c) => `\\${c}`);
}
