import { describe, expect, it } from 'vitest';
import { Deadlines, RedisTimeoutError } from '../src/cache/deadlines.ts';

describe('cache deadlines', () => {
  it('fails a wait that never ends with RedisTimeoutError, and passes answers and errors through', async () => {
    const deadlines = new Deadlines(20);
    await expect(deadlines.bound(new Promise(() => {}))).rejects.toBeInstanceOf(RedisTimeoutError);
    await expect(deadlines.bound(Promise.resolve('PONG'))).resolves.toBe('PONG');
    await expect(deadlines.bound(Promise.reject(new Error('WRONGTYPE')))).rejects.toThrow('WRONGTYPE');
  });

  it('keeps bounding after the sweeper stopped for lack of waits', async () => {
    const deadlines = new Deadlines(10);
    await expect(deadlines.bound(new Promise(() => {}))).rejects.toThrow('Redis did not answer within 10 ms');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await expect(deadlines.bound(new Promise(() => {}))).rejects.toBeInstanceOf(RedisTimeoutError);
  });
});

describe('cache deadlines: one decision', () => {
  it('an answer handled after the deadline fired changes nothing', async () => {
    const deadlines = new Deadlines(20);
    let late!: (value: string) => void;
    const outcome = deadlines.bound(new Promise<string>((resolve) => (late = resolve))).then(
      (value) => `value: ${value}`,
      (error: Error) => `error: ${error.name}`,
    );
    expect(await outcome).toBe('error: RedisTimeoutError');
    late('too late');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await outcome).toBe('error: RedisTimeoutError');
  });
});
