/**
 * A bound on stdio messages. The SDK's stdio transport closes itself when one line exceeds its buffer (10 MiB) and
 * pauses stdin, so the server never answers again and, with stdin paused, never sees it end either. This filter
 * sits in front of it: lines up to `maxBytes` pass through whole; a longer line is dropped as it streams in (never
 * buffered past the bound) and answered with a JSON-RPC error naming its size and the limit, carrying the request
 * id when the line's start shows one. The server then goes on reading.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** 4 MiB: far above any call the tools accept (values are capped at --max-value-bytes, 100 KB by default). */
export const MAX_STDIO_MESSAGE_BYTES = 4 * 1024 * 1024;

const HEAD_BYTES = 256;

export function oversizeReply(head: string, bytes: number, maxBytes: number): string {
  const id = /"id"\s*:\s*(-?\d{1,16}|"(?:[^"\\]|\\.){0,128}")/.exec(head)?.[1];
  return `${JSON.stringify({
    jsonrpc: '2.0',
    id: id === undefined ? null : JSON.parse(id),
    error: {
      code: -32600,
      message: `message of ${bytes} bytes exceeds the ${maxBytes}-byte limit; send large values in parts`,
    },
  })}\n`;
}

export class StdioLineLimit extends Transform {
  readonly #maxBytes: number;
  readonly #reply: (line: string) => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of the line being dropped, or undefined while the current line is within the bound. */
  #dropped: number | undefined;
  #head = '';

  constructor(maxBytes: number, reply: (line: string) => void) {
    super();
    this.#maxBytes = maxBytes;
    this.#reply = reply;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      if (this.#dropped !== undefined) this.#dropped += piece.length;
      else if (this.#pendingBytes + piece.length > this.#maxBytes + 1) {
        this.#head = Buffer.concat([...this.#pending, piece])
          .subarray(0, HEAD_BYTES)
          .toString('utf8');
        this.#dropped = this.#pendingBytes + piece.length;
        this.#pending = [];
        this.#pendingBytes = 0;
      } else {
        this.#pending.push(piece);
        this.#pendingBytes += piece.length;
      }
      if (newline !== -1) this.#endLine();
      start = end;
    }
    done();
  }

  #endLine(): void {
    if (this.#dropped !== undefined) {
      this.#reply(oversizeReply(this.#head, this.#dropped - 1, this.#maxBytes));
      this.#dropped = undefined;
    } else {
      this.push(Buffer.concat(this.#pending));
    }
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
