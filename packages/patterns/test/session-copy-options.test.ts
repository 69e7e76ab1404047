import type { RedisClient } from '../src/connection.ts';
import { describe, expect, it } from 'vitest';
import { copySessions } from '../src/session/bulk-copy.ts';
import { createCutoverStore } from '../src/session/cutover-store.ts';
import { resetCutover } from '../src/session/reset.ts';

describe('copySessions options', () => {
  // Checked before anything is read or sent: neither the database nor the client is touched.
  const untouched = new Proxy({}, { get: () => expect.unreachable('touched') });
  const legacy = { query: () => expect.unreachable('queried') };

  it.each([
    [{ batchSize: 0 }, /batchSize must be a positive integer, got 0/],
    [{ batchSize: 2.5 }, /batchSize must be a positive integer, got 2.5/],
    [{ maxValueBytes: -1 }, /maxValueBytes must be a positive integer, got -1/],
  ])('refuses %o', async (options, message) => {
    await expect(copySessions(untouched as RedisClient, { legacy, ...options })).rejects.toThrow(message);
  });
});

describe('createCutoverStore options', () => {
  it.each([
    [{ legacyTimeoutMs: 0 }, /legacyTimeoutMs must be a positive integer, got 0/],
    [{ retryIntervalMs: -5 }, /retryIntervalMs must be a positive integer, got -5/],
    [{ maxPendingDeletes: 1.5 }, /maxPendingDeletes must be a positive integer, got 1.5/],
  ])('refuses %o when the store is built', (options, message) => {
    const legacy = { query: () => expect.unreachable('queried') };
    expect(() => createCutoverStore({ prefix: 'sess:', client: {} } as never, { legacy, ...options })).toThrow(message);
  });
});

describe('resetCutover options', () => {
  const untouched = new Proxy({}, { get: () => expect.unreachable('touched') });
  const legacy = { query: () => expect.unreachable('queried') };
  it.each([
    [{ prefix: '' }, /an empty prefix would be every key/],
    [{ scanCount: 0 }, /scanCount must be a positive integer, got 0/],
  ])('refuses %o before anything is read or deleted', async (options, message) => {
    await expect(resetCutover(untouched as RedisClient, { legacy, ...options })).rejects.toThrow(message);
  });
});
