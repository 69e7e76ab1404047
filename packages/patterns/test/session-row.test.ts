import { describe, expect, it } from 'vitest';
import { judgeRow } from '../src/session/session-row.ts';

const LIMIT = 100 * 1024;
const cookie = { originalMaxAge: 60_000, expires: '2030-01-01T00:00:00.000Z', httpOnly: true, path: '/' };

describe('judgeRow', () => {
  it('turns a live row into compact connect-redis JSON with a whole-ms TTL', () => {
    const judged = judgeRow(
      {
        sid: 'a',
        sess: `{"cookie" : ${JSON.stringify(cookie)}, "user" : "ada"}`,
        ttl_ms: 59_999.7,
      },
      LIMIT,
    );
    expect(judged).toEqual({ kind: 'live', sid: 'a', value: JSON.stringify({ cookie, user: 'ada' }), ttlMs: 59_999 });
  });

  it('skips rows whose lifetime is over, including under one millisecond left', () => {
    expect(judgeRow({ sid: 'a', sess: '{"cookie":{}}', ttl_ms: -5 }, LIMIT).kind).toBe('expired');
    expect(judgeRow({ sid: 'b', sess: '{"cookie":{}}', ttl_ms: 0.4 }, LIMIT).kind).toBe('expired');
  });

  it.each([
    ['not json', 'sess is not valid JSON'],
    ['"text"', 'sess is not a JSON object'],
    ['[1,2]', 'sess is not a JSON object'],
    ['null', 'sess is not a JSON object'],
    ['{"user":"ada"}', 'sess has no cookie object'],
    ['{"cookie":"x"}', 'sess has no cookie object'],
  ])('reports %s as malformed', (sess, reason) => {
    expect(judgeRow({ sid: 's', sess, ttl_ms: 1000 }, LIMIT)).toEqual({ kind: 'malformed', sid: 's', reason });
  });

  it('reports a missing expire or sess as malformed', () => {
    expect(judgeRow({ sid: 's', sess: '{"cookie":{}}', ttl_ms: null }, LIMIT)).toMatchObject({
      reason: 'no expire time',
    });
    expect(judgeRow({ sid: 's', sess: null, ttl_ms: 1000 }, LIMIT)).toMatchObject({ reason: 'sess is null' });
  });

  it('reports a loadable session over the size limit as too large, with its size, not as malformed', () => {
    const sess = JSON.stringify({ cookie, blob: 'x'.repeat(200) });
    expect(judgeRow({ sid: 's', sess, ttl_ms: 1000 }, 100)).toEqual({
      kind: 'too-large',
      sid: 's',
      bytes: Buffer.byteLength(sess),
    });
    expect(judgeRow({ sid: 's', sess, ttl_ms: 1000 }, 10_000).kind).toBe('live');
  });
});
