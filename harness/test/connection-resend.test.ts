/**
 * A command in flight when the connection drops is never re-sent by a client made with `offlineQueue: false`:
 * callers such as the rate limiter have already decided without it (outage policy), so running it later on the
 * restarted server would count a request twice. With the default (queueing) client it is re-sent, which is what
 * an app that simply waits wants.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalServer } from '../src/targets/local-server.ts';

const servers: LocalServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

/**
 * Freezes the server with a SET in flight, kills and restarts it (with its data), and says whether the SET ran
 * on the restarted server and how its promise settled.
 */
async function inFlightSet(offlineQueue: boolean): Promise<{ ran: boolean; settled: string }> {
  const server = await LocalServer.start({ kind: 'redis', args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  servers.push(server);
  const client = await connect({ url: server.url, offlineQueue, ...(offlineQueue ? {} : { commandTimeoutMs: 1500 }) });
  try {
    server.pause();
    const pending = client.set('rak:resend:k', 'v', 'EX', 60).catch((error: Error) => `failed: ${error.message}`);
    await new Promise((r) => setTimeout(r, 200));
    await server.kill();
    await server.restart();
    const settled = await Promise.race([pending, new Promise<string>((r) => setTimeout(() => r('pending'), 5000))]);
    for (let i = 0; i < 100 && client.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
    return { ran: (await client.exists('rak:resend:k')) === 1, settled };
  } finally {
    await closeClient(client);
  }
}

describe('commands in flight when the connection drops', () => {
  it('are not re-sent by a client with offlineQueue: false, and fail instead of hanging', async () => {
    const { ran, settled } = await inFlightSet(false);
    expect(ran).toBe(false);
    expect(settled).toMatch(/^failed: /);
  });

  it('are re-sent by the default client (the test above could fail)', async () => {
    expect((await inFlightSet(true)).ran).toBe(true);
  });
});
