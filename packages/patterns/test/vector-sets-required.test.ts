/**
 * The vector-sets gate of the semantic cache and long-term memory, decided from capabilities the caller already
 * probed: a server without vector sets is refused before any command is sent (the client here throws if touched),
 * and one with search but no vector sets hears that search is not used, never that it would do.
 */
import { describe, expect, it } from 'vitest';
import { type Capabilities, CapabilityMissingError } from '../src/capabilities.ts';
import type { RedisClient } from '../src/connection.ts';
import { createLongTermMemory } from '../src/memory/index.ts';
import { createSemanticCache } from '../src/semantic-cache/index.ts';
import { createHashingEmbedder } from '../src/vector/index.ts';
import { vectorSetsRequired } from '../src/vector/vector-sets-required.ts';

const untouchable = new Proxy({} as RedisClient, {
  get(_, property) {
    throw new Error(`the client was used (${String(property)}) before the capability check refused`);
  },
});

const base: Capabilities = {
  server: 'redis',
  version: '7.4.0',
  cluster: false,
  json: false,
  search: false,
  vectorSets: false,
  hashFieldTtl: false,
};
const searchOnly = { ...base, search: true, json: true };
const valkey = { ...base, server: 'valkey' as const, version: '8.1.1' };
const embedder = createHashingEmbedder({ dim: 16 });

async function refusal(attempt: Promise<unknown>): Promise<CapabilityMissingError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CapabilityMissingError);
  return error as CapabilityMissingError;
}

describe('vectorSetsRequired', () => {
  it('resolves with the capabilities where the server has vector sets, without probing again', async () => {
    const caps = { ...base, version: '8.0.2', vectorSets: true };
    const ready = vectorSetsRequired(untouchable, 'the thing', caps);
    expect(await ready()).toBe(caps);
    expect(await ready()).toBe(caps);
  });

  it('on a server with neither, names vector sets and search and does not claim search would do', async () => {
    const error = await refusal(vectorSetsRequired(untouchable, 'the thing', valkey)());
    expect(error.capability).toBe('vectorSets');
    expect(error.message).toMatch(/^valkey 8\.1\.1 has no vector sets \(VADD\)/);
    expect(error.message).toMatch(/search \(FT\.SEARCH\)/);
    expect(error.message).not.toMatch(/ or search/);
  });

  it('on a server with search but no vector sets, says its search is not used', async () => {
    const error = await refusal(vectorSetsRequired(untouchable, 'the thing', searchOnly)());
    expect(error.capability).toBe('vectorSets');
    expect(error.message).toMatch(/no search \(FT\.SEARCH\) path yet, so this server's search is not used/);
  });
});

describe('the semantic cache and long-term memory on a server without vector sets', () => {
  for (const caps of [valkey, searchOnly]) {
    const label = caps.search ? 'search but no vector sets' : 'neither vector sets nor search';
    it(`refuse every call before sending a command (${label})`, async () => {
      const cache = createSemanticCache(untouchable, { embedder, scopeFields: ['tenant'], capabilities: caps });
      const memory = createLongTermMemory(untouchable, { embedder, capabilities: caps });
      const scope = { tenant: 't' };
      const calls: [string, Promise<unknown>][] = [
        ['check', cache.check('hello', { scope })],
        ['store', cache.store('hello', 'world', { scope })],
        ['answer', cache.answer('hello', { scope }, async () => 'world')],
        ['invalidateEntry', cache.invalidateEntry('hello', { scope })],
        ['invalidate', cache.invalidate(scope)],
        ['sweep', cache.sweep()],
        ['size', cache.size({ scope })],
        ['remember', memory.remember('hello', { user: 'u' })],
        ['recall', memory.recall('hello', { user: 'u' })],
        ['forget', memory.forget('id', { user: 'u' })],
      ];
      for (const [name, call] of calls) {
        const error = await refusal(call);
        const what = ['remember', 'recall', 'forget'].includes(name) ? 'long-term memory' : 'the semantic cache';
        expect(error.message, name).toContain(what);
        expect(error.capability, name).toBe('vectorSets');
        // Honest about search: never "needs vector sets or search" when this pattern has no search path.
        expect(error.message, name).not.toMatch(/ or search/);
        if (caps.search) expect(error.message, name).toMatch(/this server's search is not used/);
        else expect(error.message, name).toMatch(/no search either/);
      }
    });
  }
});
