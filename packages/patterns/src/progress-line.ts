/**
 * Progress for long work (audit, migration, ingest, matrix): one line rewritten in place on a terminal, at most
 * every `everyMs`, and nothing at all in CI or when the stream is piped, so logs and JSON output stay clean.
 * The patterns report progress through `onProgress` callbacks; callers format the text and hand it here.
 */
export interface ProgressLine {
  /** Whether anything is drawn (a TTY, not CI). */
  readonly live: boolean;
  update(text: string): void;
  /** Clears the line. */
  done(): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr, everyMs = 100): ProgressLine {
  const live = stream.isTTY === true && !process.env.CI;
  let shownAt: number | undefined;
  return {
    live,
    update(text) {
      const now = performance.now();
      if (!live || (shownAt !== undefined && now - shownAt < everyMs)) return;
      shownAt = now;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    done() {
      if (live && shownAt !== undefined) stream.write('\r\x1b[2K');
      shownAt = undefined;
    },
  };
}
