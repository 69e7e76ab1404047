/**
 * Agent sessions (seed 001): `{service}:session:{id}` with a TTL always (sessions are never permanent).
 * Stored as a JSON document where the server has JSON, else as a hash of JSON-encoded fields, so an update
 * merges fields atomically either way (HSET, or JSON.MERGE in a script) and keeps the TTL.
 */
import { randomUUID } from 'node:crypto';
import { LuaScript } from '@redis-agent-kit/patterns';
import { command } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import { assertValueSize, PolicyError } from '../guard.ts';
import { defineGroup, defineTool, type ToolContext, writeWithTtl } from '../tool.ts';

const META = '_meta';

/**
 * Merges only into a session that exists, so an expired session is not silently recreated without its TTL.
 * Sent by SHA (EVALSHA), the source only after a NOSCRIPT.
 */
const UPDATE_HASH = new LuaScript(`if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local meta = cjson.decode(redis.call('HGET', KEYS[1], '${META}'))
meta.updatedAt = ARGV[2]
if ARGV[1] == '1' then
  local ttl = redis.call('PTTL', KEYS[1])
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], '${META}', '{}')
  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
end
redis.call('HSET', KEYS[1], '${META}', cjson.encode(meta))
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`);

const UPDATE_JSON = new LuaScript(`if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then redis.call('JSON.SET', KEYS[1], '$.data', ARGV[3])
else redis.call('JSON.MERGE', KEYS[1], '$.data', ARGV[3]) end
redis.call('JSON.SET', KEYS[1], '$.updatedAt', cjson.encode(ARGV[2]))
return 1`);

interface Session {
  id: string;
  createdAt: string;
  updatedAt?: string;
  data: Record<string, unknown>;
}

function sessionKey(ctx: ToolContext, id: string): string {
  return `${ctx.config.service}:session:${id}`;
}

async function read(ctx: ToolContext, key: string): Promise<Session | null> {
  if (ctx.caps.json) {
    const raw = (await ctx.redis.call('JSON.GET', key, '$')) as string | null;
    return raw === null ? null : ((JSON.parse(raw) as Session[])[0] ?? null);
  }
  const hash = await ctx.redis.hgetall(key);
  if (!hash[META]) return null;
  const { [META]: meta, ...fields } = hash;
  const data = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, JSON.parse(value)]));
  return { ...(JSON.parse(meta) as Omit<Session, 'data'>), data };
}

export default defineGroup(
  'sessions',
  defineTool({
    name: 'session',
    summary: 'Agent sessions, always with a TTL.',
    ops: {
      get: ['read', ''],
      create: ['write', 'returns id'],
      update: ['write', 'merge data, or replace'],
      extend: ['write', 'ttl'],
      delete: ['write', ''],
    },
    input: () => ({
      id: z
        .string()
        .regex(/^[\w-]+$/)
        .optional(),
      data: z.record(z.string(), z.unknown()).optional(),
      replace: z.boolean().optional(),
      ttl: z.number().int().min(1).optional(),
    }),
    writeArgs: ['data', 'replace', 'ttl'],
    output: {
      id: z.string(),
      found: z.boolean(),
      ttl: z.number().int().optional(),
      session: z
        .object({ createdAt: z.string(), updatedAt: z.string().optional(), data: z.record(z.string(), z.unknown()) })
        .optional(),
    },
    async run(input, ctx) {
      const ttl = input.ttl ?? ctx.limits.defaultTtl;
      if (input.op === 'create') {
        if (ttl <= 0) throw new PolicyError('sessions need a TTL: pass ttl (seconds)');
        const id = randomUUID();
        const key = sessionKey(ctx, id);
        const data = input.data ?? {};
        const session: Session = { id, createdAt: new Date().toISOString(), data };
        const document = JSON.stringify(session);
        assertValueSize([document], ctx.limits);
        // One MULTI with the EXPIRE; a failed command is an error result, not a session that was never stored.
        await writeWithTtl(ctx, key, { kind: 'set', seconds: ttl }, [
          ctx.caps.json
            ? command('JSON.SET', key, '$', document)
            : command(
                'HSET',
                key,
                META,
                JSON.stringify({ id, createdAt: session.createdAt }),
                ...Object.entries(data).flatMap(([name, value]) => [name, JSON.stringify(value)]),
              ),
        ]);
        return { id, found: true, ttl };
      }
      if (!input.id) throw new Error(`${input.op} needs id`);
      const { id } = input;
      const key = sessionKey(ctx, id);
      switch (input.op) {
        case 'get': {
          const session = await read(ctx, key);
          if (!session) return { id, found: false };
          const { createdAt, updatedAt, data } = session;
          return {
            id,
            found: true,
            ttl: await ctx.redis.ttl(key),
            session: { createdAt, ...(updatedAt ? { updatedAt } : {}), data },
          };
        }
        case 'update': {
          const data = input.data ?? {};
          assertValueSize([JSON.stringify(data)], ctx.limits);
          const now = new Date().toISOString();
          const replace = input.replace ? '1' : '0';
          const done = ctx.caps.json
            ? await UPDATE_JSON.run(ctx.redis, [key], [replace, now, JSON.stringify(data)])
            : await UPDATE_HASH.run(ctx.redis, [key], [
                replace,
                now,
                ...Object.entries(data).flatMap(([name, value]) => [name, JSON.stringify(value)]),
              ]);
          return { id, found: done === 1, ...(done === 1 ? { ttl: await ctx.redis.ttl(key) } : {}) };
        }
        case 'extend': {
          if (ttl <= 0) throw new PolicyError('extend needs ttl (seconds)');
          const found = (await ctx.redis.expire(key, ttl)) === 1;
          return { id, found, ...(found ? { ttl } : {}) };
        }
        case 'delete':
          return { id, found: (await ctx.redis.unlink(key)) === 1 };
      }
    },
  }),
);
