/** A single rewritten progress line on a terminal; silent in CI or when output is piped. */
export function progressLine(label: string): { update(done: number, total: number): void; done(): void } {
  const live = process.stderr.isTTY === true && !process.env.CI;
  return {
    update(done, total) {
      if (live) process.stderr.write(`\r\x1b[2K${label} ${done}/${total} (${Math.round((done / total) * 100)}%)`);
    },
    done() {
      if (live) process.stderr.write('\r\x1b[2K');
    },
  };
}
