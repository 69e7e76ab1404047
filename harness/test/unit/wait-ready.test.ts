import { describe, expect, it } from 'vitest';
import { waitUntilReady } from '../../src/targets/wait-ready.ts';

const server = (running: () => boolean) => ({
  label: 'redis-server on port 1',
  get running() {
    return running();
  },
  logTail: () => 'last log line',
});

describe('waitUntilReady', () => {
  it('returns once the probe succeeds, after retrying its failures', async () => {
    let calls = 0;
    await waitUntilReady(
      server(() => true),
      async () => {
        if (++calls < 3) throw new Error('ECONNREFUSED');
      },
      { timeoutMs: 10_000, intervalMs: 1 },
    );
    expect(calls).toBe(3);
  });

  it('stops at once when the process exits, with its log tail', async () => {
    await expect(
      waitUntilReady(
        server(() => false),
        () => Promise.resolve(),
        { timeoutMs: 10_000, intervalMs: 1 },
      ),
    ).rejects.toThrow('redis-server on port 1 exited during start:\nlast log line');
  });

  it('gives up after the timeout with the last probe error and the log tail', async () => {
    await expect(
      waitUntilReady(
        server(() => true),
        () => Promise.reject(new Error('ECONNREFUSED')),
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow('redis-server on port 1 not ready after 20 ms (ECONNREFUSED):\nlast log line');
  });
});
