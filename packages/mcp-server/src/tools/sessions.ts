/**
 * Agent sessions: `{service}:session:{id}`, always with a TTL (sessions are never permanent), through the patterns'
 * session repository: a JSON document where the server has JSON, else a hash of JSON-encoded fields; an update
 * merges in one script, keeps the TTL, and never recreates an expired session.
 */
import { chooseSessionFormat, createSessionRepository } from '@redis-agent-kit/patterns/session';
import { z } from 'zod';
import { PolicyError } from '../guard.ts';
import { args, defineGroup, defineTool } from '../tool.ts';

export default defineGroup(
  'sessions',
  defineTool({
    name: 'session',
    summary: 'Agent sessions, always with a TTL.',
    bound: 'one key',
    ops: {
      get: ['read', ''],
      create: ['write', 'returns id'],
      update: ['write', 'merge data, or replace'],
      extend: ['write', 'ttl'],
      delete: ['write', ''],
    },
    input: ({ limits }) => ({
      id: args
        .name(limits)
        .pipe(z.string().regex(/^[\w-]+$/))
        .optional(),
      data: args.record(z.string(), z.unknown()).optional(),
      replace: z.boolean().optional(),
      ttl: args.expiry,
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
      const sessions = createSessionRepository(ctx.redis, {
        prefix: `${ctx.config.service}:session:`,
        format: chooseSessionFormat(ctx.caps),
        maxValueBytes: ctx.limits.maxValueBytes,
      });
      const ttl = input.ttl ?? ctx.limits.defaultTtl;
      if (input.op === 'create') {
        if (ttl <= 0) throw new PolicyError('sessions need a TTL: pass ttl (seconds)');
        const { id } = await sessions.create(input.data ?? {}, ttl);
        return { id, found: true, ttl };
      }
      if (!input.id) throw new Error(`${input.op} needs id`);
      const { id } = input;
      switch (input.op) {
        case 'get': {
          const session = await sessions.get(id);
          if (!session) return { id, found: false };
          const { createdAt, updatedAt, data, ttlSeconds } = session;
          return {
            id,
            found: true,
            ttl: ttlSeconds,
            session: { createdAt, ...(updatedAt ? { updatedAt } : {}), data },
          };
        }
        case 'update': {
          const left = await sessions.update(id, input.data ?? {}, { replace: input.replace ?? false });
          return left === null ? { id, found: false } : { id, found: true, ttl: left };
        }
        case 'extend': {
          if (ttl <= 0) throw new PolicyError('extend needs ttl (seconds)');
          const found = await sessions.touch(id, ttl);
          return { id, found, ...(found ? { ttl } : {}) };
        }
        case 'delete':
          return { id, found: await sessions.destroy(id) };
      }
    },
  }),
);
