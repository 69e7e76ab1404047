/**
 * The MCP server's guard as defence in depth, on a scratch server of its own: no path through a guarded client
 * (methods, generic calls, raw command objects, pipelines and transactions in both forms, scripts, functions,
 * duplicates) sends a blocked command. A key written first must survive every attempt.
 */
import { closeClient, connect, LuaScript, type RedisClient } from '@redis-agent-kit/patterns';
import { Command, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardClient, PolicyError } from '../../packages/mcp-server/src/guard.ts';
import { LocalServer } from '../src/targets/local-server.ts';

let server: LocalServer;
let raw: RedisClient;
let guarded: Redis;

beforeAll(async () => {
  server = await LocalServer.start({ kind: 'redis' });
  raw = await connect({ url: server.url });
  guarded = guardClient(raw) as Redis;
});

afterAll(async () => {
  await closeClient(raw);
  await server.stop();
});

const FLUSH_SCRIPT = "redis.call('FLUSHALL') return 1";

const attempts: [string, (c: Redis) => unknown][] = [
  ['a method', (c) => c.flushall()],
  ['call', (c) => c.call('FLUSHALL')],
  ['callBuffer', (c) => c.callBuffer('flushdb')],
  ['sendCommand', (c) => c.sendCommand(new Command('flushall', []))],
  ['a chained pipeline', (c) => c.pipeline().set('x', '1').flushall().exec()],
  ['a pipeline in array form', (c) => c.pipeline([['flushall']]).exec()],
  ['a transaction in array form', (c) => c.multi([['flushdb']]).exec()],
  ['EVAL of a foreign script', (c) => c.eval(FLUSH_SCRIPT, 0)],
  ['EVALSHA of a foreign script', async (c) => c.evalsha(String(await raw.script('LOAD', FLUSH_SCRIPT)), 0)],
  ['EVAL inside a pipeline', (c) => c.pipeline().eval(FLUSH_SCRIPT, 0).exec()],
  ['SCRIPT LOAD of a foreign script', (c) => c.script('LOAD', FLUSH_SCRIPT)],
  ['FCALL', (c) => c.fcall('anything', 0)],
  [
    'a duplicate',
    async (c) => {
      const copy = c.duplicate();
      try {
        return await copy.flushall();
      } finally {
        copy.disconnect();
      }
    },
  ],
  ['CLIENT PAUSE', (c) => c.client('PAUSE', 1000)],
  ['CLIENT PAUSE by call', (c) => c.call('client', 'pause', '1000')],
  ['CONFIG SET by call with a Buffer subcommand', (c) => c.call('CONFIG', Buffer.from('SET'), 'maxmemory', '1')],
];

describe('guardClient on a real server', () => {
  it.each(attempts)('refuses %s and the data survives', async (_, attempt) => {
    await raw.set('guard:survivor', 'still here', 'EX', 600);
    const outcome = await Promise.resolve()
      .then(() => attempt(guarded))
      .then(
        (value) => value,
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(PolicyError);
    expect(await raw.get('guard:survivor')).toBe('still here');
  });

  it('still runs the scripts the kit defines, by EVALSHA and after a SCRIPT FLUSH by EVAL', async () => {
    const script = new LuaScript("return redis.call('GET', KEYS[1])");
    await raw.set('guard:k', 'v', 'EX', 600);
    await raw.script('FLUSH');
    expect(await script.run(guarded, ['guard:k'], [])).toBe('v');
    expect(await script.run(guarded, ['guard:k'], [])).toBe('v');
  });
});
