import type { RedisClient } from '../src/connection.ts';
import { describe, expect, it } from 'vitest';
import { copySessions } from '../src/session/bulk-copy.ts';

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
