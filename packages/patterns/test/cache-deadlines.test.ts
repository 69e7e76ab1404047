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

describe('cache deadlines: settle', () => {
  it('decides once: with the value, the rejection, or the timeout, and passes a thrown error on', async () => {
    const deadlines = new Deadlines(20);
    const seen = (outcome: unknown) => (outcome instanceof Error ? `error: ${outcome.message}` : `value: ${String(outcome)}`);
    await expect(deadlines.settle(Promise.resolve('PONG'), seen)).resolves.toBe('value: PONG');
    await expect(deadlines.settle(Promise.reject(new Error('WRONGTYPE')), seen)).resolves.toBe('error: WRONGTYPE');
    await expect(deadlines.settle(new Promise(() => {}), seen)).resolves.toMatch(/error: Redis did not answer within 20 ms/);
    let calls = 0;
    let late!: (value: string) => void;
    const decided = await deadlines.settle(new Promise<string>((resolve) => (late = resolve)), (outcome) => {
      calls++;
      return outcome;
    });
    expect(decided).toBeInstanceOf(RedisTimeoutError);
    late('too late');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toBe(1);
    await expect(
      deadlines.settle(Promise.resolve(1), () => {
        throw new RangeError('bad ttl');
      }),
    ).rejects.toThrow(RangeError);
  });
});
