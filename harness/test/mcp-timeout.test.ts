/**
 * A slow command is reported as a timeout, not as an unreachable server: on a scratch server of its own (so the
 * stall it causes reaches no other test), a script keeps Redis busy while a tool call waits past
 * --command-timeout-ms.
 */
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessSession, type McpSession } from '../src/suites/mcp-server.suite.ts';
import { LocalServer } from '../src/targets/local-server.ts';

/** Busy for about `ms` inside the server: every other client waits meanwhile. */
const BUSY = `local t = redis.call('TIME') local start = t[1] * 1000000 + t[2]
repeat local now = redis.call('TIME') until (now[1] * 1000000 + now[2]) - start > tonumber(ARGV[1]) * 1000
return 1`;

describe('MCP errors: a slow command', () => {
  let server: LocalServer;
  let admin: RedisClient;
  let s: McpSession;

  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    admin = await connect({ url: server.url });
    const info = { name: 'redis-8', url: server.url, cluster: false } as Parameters<typeof inProcessSession>[0];
    s = await inProcessSession(info, ['--tools', 'strings', '--command-timeout-ms', '300']);
  });
  afterAll(async () => {
    await s.close();
    await closeClient(admin);
    await server.stop();
  });

  it('says it timed out and names the deadline, not "unreachable"', async () => {
    await admin.set('slow:k', 'v', 'EX', 60);
    const busy = admin.eval(BUSY, 0, 1500);
    // The script goes first on its own connection; a moment later the tool's GET queues behind it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = await s.fails('string', { op: 'get', key: 'slow:k' });
    await busy;
    expect(text).toMatch(/^timed out: Redis at .* did not answer within 300 ms \(--command-timeout-ms\)/);
    expect(text).not.toMatch(/unreachable/);
    expect((await s.ok('string', { op: 'get', key: 'slow:k' })).value).toBe('v');
  });
});
