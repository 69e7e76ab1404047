/**
 * Progress for long work (matrix, bench, audit, migration): a single rewritten line on a TTY,
 * nothing at all in CI or when output is piped.
 */
export interface Progress {
  update(text: string): void;
  done(): void;
}

export function progress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const live = stream.isTTY === true && !process.env.CI;
  let shown = false;
  return {
    update(text) {
      if (!live) return;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
      shown = true;
    },
    done() {
      if (live && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
