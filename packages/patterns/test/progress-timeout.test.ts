import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLine, withTimeout } from '../src/index.ts';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return {
    stream: { isTTY, columns: 20, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream,
    written,
  };
}

describe('progressLine', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('rewrites one line on a terminal, cut to its width, throttled, and clears it when done', () => {
    vi.stubEnv('CI', '');
    const { stream, written } = fakeStream(true);
    const line = progressLine(stream, 60_000);
    line.update('copying 1/3 sessions, a long line');
    line.update('copying 2/3 (dropped: within everyMs of the last)');
    line.done();
    expect(line.live).toBe(true);
    expect(written).toEqual(['\r\x1b[2Kcopying 1/3 session', '\r\x1b[2K']);
  });

  it('writes nothing when piped or in CI', () => {
    const piped = fakeStream(false);
    progressLine(piped.stream, 0).update('x');
    vi.stubEnv('CI', 'true');
    const ci = fakeStream(true);
    const line = progressLine(ci.stream, 0);
    line.update('x');
    line.done();
    expect([...piped.written, ...ci.written]).toEqual([]);
  });
});

describe('withTimeout', () => {
  it('passes the value or error through, and rejects with the given error when nothing settles', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('own')), 1000, () => new Error('late'))).rejects.toThrow('own');
    await expect(withTimeout(new Promise(() => {}), 10, () => new Error('no PONG within 10 ms'))).rejects.toThrow(
      'no PONG within 10 ms',
    );
  });
});
