/**
 * The MCP server (in this process, a real MCP client over the in-memory transport) while its Redis crashes and
 * comes back: every tool call during the outage is an error result within a bound, never a hang or a crash, and
 * its message names the outage without the password; the cache's read is the exception by design (a Redis error
 * reads as a miss). Once Redis is back, the same server and client answer every tool again.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { inProcessSession } from '../suites/mcp-server.suite.ts';
import type { TargetInfo } from '../targets/types.ts';
import { msUntilSucceeds, settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const CALL_BOUND_MS = 10_000;

export default defineFaultScenario({
  id: 'mcp-server-restart',
  workflow: 'mcp-server',
  fault: 'kill',
  title: 'MCP tool calls return redacted error results while Redis is down, and work again after it restarts',
  async run({ startServer, prefix, note }) {
    const password = randomBytes(12).toString('hex');
    // A user from the command line, so it exists again after the restart (this server keeps no ACL file).
    const server = await startServer({ args: ['--user', 'mcp', 'on', `>${password}`, '~*', '&*', '+@all'] });
    const url = new URL(server.url);
    url.username = 'mcp';
    url.password = password;
    const s = await inProcessSession({ url: url.href, cluster: false } as TargetInfo, [
      '--profile',
      'full',
      '--command-timeout-ms',
      '1000',
    ]);
    const key = `${prefix}:k`;
    const calls: [string, Record<string, unknown>][] = [
      ['string', { op: 'get', key }],
      ['hash', { op: 'get', key: `${prefix}:h` }],
      ['keys', { op: 'scan', pattern: `${prefix}:*` }],
      ['session', { op: 'get', id: 'missing' }],
      ['cache', { op: 'set', namespace: prefix, key: 'c', value: 1, ttl: 60 }],
      ['ratelimit', { op: 'check', policy: prefix, id: 'u', limit: 10, window: 60 }],
      ['vector', { op: 'info', index: 'docs' }],
      ['audit', { match: `${prefix}:*`, sample: 10 }],
      ['server', { op: 'dbsize' }],
    ];
    const callTool = (name: string, args: Record<string, unknown>) =>
      s.client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
    const text = (result: CallToolResult) => (result.content?.[0] as { text?: string } | undefined)?.text ?? '';
    try {
      await s.ok('string', { op: 'set', key, value: 'before', ttl: 60 });
      for (const [name, args] of calls) await s.ok(name, args);

      await server.kill();
      // All at once, as an agent's parallel tool calls would arrive.
      const whileDown = await Promise.all(
        calls.map(([name, args]) => settleWithin(callTool(name, args), CALL_BOUND_MS, `${name} while Redis is down`)),
      );
      let slowestMs = 0;
      for (const [i, settled] of whileDown.entries()) {
        const name = calls[i]?.[0];
        assert.ok(settled.ok, `${name}: the call itself fails only as an error result`);
        assert.equal(settled.value.isError, true, `${name} while down: ${text(settled.value)}`);
        assert.match(text(settled.value), /unreachable|did not answer|no answer/i, `${name} names the outage`);
        assert.ok(!text(settled.value).includes(password), `${name}'s error shows no password`);
        slowestMs = Math.max(slowestMs, settled.ms);
      }
      note(`while down: ${text((await callTool('string', { op: 'get', key })) as CallToolResult)}`);
      const cacheRead = await settleWithin(
        s.ok('cache', { op: 'get', namespace: prefix, key: 'c' }),
        CALL_BOUND_MS,
        'cache get while down',
      );
      assert.ok(cacheRead.ok && cacheRead.value.found === false, 'the cache reads a Redis error as a miss');

      await server.restart();
      const recoverMs = await msUntilSucceeds(
        () => s.ok('string', { op: 'set', key, value: 'after', ttl: 60 }),
        15_000,
      );
      let answeredAfter = 0;
      for (const [name, args] of calls) if (await s.ok(name, args)) answeredAfter++;
      assert.equal((await s.ok('string', { op: 'get', key })).value, 'after', 'the same server reads its write');
      const stats = (await s.ok('cache', { op: 'stats', namespace: prefix })).stats as Record<string, number>;
      return {
        numbers: {
          callsWhileDown: calls.length,
          errorResultsWhileDown: whileDown.filter((settled) => settled.ok && settled.value.isError).length,
          slowestErrorMs: Math.round(slowestMs),
          recoverMs: Math.round(recoverMs),
          callsAnsweredAfterRestart: answeredAfter,
          cacheRedisErrors: stats.redisErrors ?? 0,
        },
      };
    } finally {
      await s.close();
    }
  },
});
