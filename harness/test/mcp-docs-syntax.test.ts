/**
 * The docs tool renders COMMAND DOCS arguments the way the Redis command reference does. Each expected line is the
 * syntax shown on the command's reference page for the Redis 8.0 line (tokens, blocks, oneof in `<…>` or `[…]`,
 * repetition, optional parts), compared with what the tool builds from Redis 8.0's own COMMAND DOCS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessSession, type McpSession } from '../src/suites/mcp-server.suite.ts';
import { target } from '../src/vitest/index.ts';

const REFERENCE: Record<string, string> = {
  set: 'SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
  'client list': 'CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]',
  zadd: 'ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]',
  xadd: 'XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]',
  xreadgroup:
    'XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]',
  zrange: 'ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]',
  getex: 'GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
  hexpire: 'HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]',
};

describe('redis-8: docs renders syntax like the Redis command reference', () => {
  let s: McpSession;
  beforeAll(async () => {
    s = await inProcessSession(target('redis-8'), ['--tools', 'docs']);
  });
  afterAll(() => s.close());

  it.each(Object.entries(REFERENCE))('%s', async (command, expected) => {
    expect((await s.ok('docs', { command })).syntax).toBe(expected);
  });
});
