import { describe, expect, it } from 'vitest';
import { commandSlot, command, withKeys } from '../src/cluster/batch.ts';
import { hashTag, keySlot } from '../src/cluster/key-slot.ts';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('cluster key slots', () => {
  it('matches CLUSTER KEYSLOT for known keys', () => {
    // Values from the Redis Cluster specification and `CLUSTER KEYSLOT` on Redis 8.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('')).toBe(0);
  });

  it('hashes only the first non-empty hash tag', () => {
    expect(text(hashTag('{user1000}.following'))).toBe('user1000');
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(text(hashTag('foo{}{bar}'))).toBe('foo{}{bar}');
    expect(text(hashTag('foo{{bar}}'))).toBe('{bar');
    expect(text(hashTag('foo{bar'))).toBe('foo{bar');
  });

  it('hashes a name that is not UTF-8 by its bytes, not by a decoded copy', () => {
    const raw = Buffer.from('bin:\xff\xfe\x01', 'latin1');
    const decoded = raw.toString('utf8'); // U+FFFD replacements: other bytes, another slot
    expect(keySlot(raw)).not.toBe(keySlot(decoded));
    expect(keySlot(raw)).toBe(keySlot(Buffer.from(raw)));
    // A hash tag inside binary bytes is found by its bytes too.
    expect(keySlot(Buffer.from('\xff{tag}\xfe', 'latin1'))).toBe(keySlot('tag'));
  });
});

describe('commandSlot', () => {
  it('routes by the declared key positions', () => {
    expect(commandSlot(command('GET', 'foo'))).toBe(12182);
    expect(commandSlot(withKeys('MEMORY', ['USAGE', 'foo'], [1]))).toBe(12182);
    expect(commandSlot({ name: 'PING', args: [], keys: [] })).toBeUndefined();
  });

  it('refuses keys in different slots before anything is sent', () => {
    expect(commandSlot(withKeys('SUNION', ['a', 'b'], [0, 1]))).toBeInstanceOf(Error);
    expect(commandSlot(withKeys('SUNION', ['{t}a', '{t}b'], [0, 1]))).toBe(keySlot('t'));
  });
});
