/**
 * The semantic cache and long-term memory probe the server for vector sets on first use. A probe that fails (the
 * server frozen past the command deadline at that moment) must not be remembered: the next call probes again and
 * works once the server answers, instead of failing for the life of the process.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { createLongTermMemory } from '@redis-agent-kit/patterns/memory';
import { createSemanticCache } from '@redis-agent-kit/patterns/semantic-cache';
import { createHashingEmbedder } from '@redis-agent-kit/patterns/vector';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalServer } from '../src/targets/local-server.ts';

const embedder = createHashingEmbedder({ dim: 16 });
const servers: LocalServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

describe('a first vector-sets probe that fails is tried again', () => {
  it('the semantic cache and long-term memory work once the frozen server answers', async () => {
    const server = await LocalServer.start({ kind: 'redis' });
    servers.push(server);
    const client = await connect({ url: server.url, commandTimeoutMs: 300 });
    try {
      const cache = createSemanticCache(client, { embedder, scopeFields: ['tenant'], prefix: 'rak:probe' });
      const memory = createLongTermMemory(client, { embedder, prefix: 'rak:probe' });
      server.pause();
      try {
        await expect(cache.check('What is Redis?', { scope: { tenant: 't' } })).rejects.toThrow();
        await expect(memory.recall('What is Redis?', { user: 'u' })).rejects.toThrow();
      } finally {
        server.resume();
      }
      expect((await cache.check('What is Redis?', { scope: { tenant: 't' } })).hit).toBe(false);
      expect(await memory.recall('What is Redis?', { user: 'u' })).toEqual([]);
    } finally {
      await closeClient(client);
    }
  });
});
