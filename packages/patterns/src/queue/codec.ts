/**
 * A job as stream fields: `p` the payload bytes, `j` the job id, `f` = `b` when the payload is raw bytes (else it is
 * JSON text), `q` = `h` for a high-priority job (its retries and revival go back to the high stream), `a` the deliveries it had before this entry (retries carry it over), `e` its last error. Short names,
 * because they are stored with every entry. Fields are read back as Buffers, so payload bytes are never decoded
 * lossily.
 */
import { MAX_ERROR_CHARS } from './options.ts';

export interface JobFields {
  id: string;
  payload: Buffer;
  /** The payload is raw bytes (given as a Buffer or Uint8Array), not JSON. */
  raw: boolean;
  /** A high-priority job. */
  high: boolean;
  /** Handler starts before this entry (0 for a new job). */
  previousDeliveries: number;
  lastError?: string;
}

export type FieldArg = string | Buffer | number;

/** Bytes for a payload: a Buffer or Uint8Array as it is, anything else as JSON text. Throws when it has no JSON form. */
export function encodePayload(payload: unknown, maxBytes: number): { bytes: Buffer; raw: boolean } {
  let bytes: Buffer;
  let raw = false;
  if (payload instanceof Uint8Array) {
    bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    raw = true;
  } else {
    const text = JSON.stringify(payload) as string | undefined;
    if (text === undefined) throw new TypeError('a job payload must be JSON (not undefined or a function) or bytes');
    bytes = Buffer.from(text);
  }
  if (bytes.length > maxBytes) {
    throw new RangeError(`job payload of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit (maxPayloadBytes)`);
  }
  return { bytes, raw };
}

export function decodePayload(fields: JobFields): unknown {
  return fields.raw ? fields.payload : JSON.parse(fields.payload.toString('utf8'));
}

/** XADD/HSET arguments for a job: field, value, field, value, … */
export function fieldArgs(job: JobFields): FieldArg[] {
  const args: FieldArg[] = ['p', job.payload, 'j', job.id];
  if (job.raw) args.push('f', 'b');
  if (job.high) args.push('q', 'h');
  if (job.previousDeliveries > 0) args.push('a', job.previousDeliveries);
  if (job.lastError !== undefined) args.push('e', job.lastError);
  return args;
}

/** A stream entry's fields (flat, as Buffers) as a job; throws when `p` or `j` is missing. */
export function parseFields(flat: readonly Buffer[]): JobFields {
  let payload: Buffer | undefined;
  let id: string | undefined;
  let raw = false;
  let high = false;
  let previousDeliveries = 0;
  let lastError: string | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = (flat[i] as Buffer).toString('latin1');
    const value = flat[i + 1] as Buffer;
    if (name === 'p') payload = value;
    else if (name === 'j') id = value.toString('utf8');
    else if (name === 'f') raw = value.toString('latin1') === 'b';
    else if (name === 'q') high = value.toString('latin1') === 'h';
    else if (name === 'a') previousDeliveries = Number(value.toString('latin1')) || 0;
    else if (name === 'e') lastError = value.toString('utf8');
  }
  if (payload === undefined || id === undefined)
    throw new Error('not a job entry: it has no p (payload) or j (id) field');
  return { id, payload, raw, high, previousDeliveries, ...(lastError === undefined ? {} : { lastError }) };
}

/** An error as the text kept with a job: its message, at most MAX_ERROR_CHARS characters. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // By code points, so a cut never splits a surrogate pair into a lossy byte sequence.
  const chars = Array.from(text);
  return chars.length > MAX_ERROR_CHARS ? `${chars.slice(0, MAX_ERROR_CHARS - 1).join('')}…` : text;
}

/** The server time (ms) a stream entry id was made at. */
export function entryTime(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf('-')));
}
