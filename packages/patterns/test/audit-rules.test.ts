import { describe, expect, it } from 'vitest';
import { hashFieldTtlEmulation } from '../src/audit/rules/hash-field-ttl-emulation.ts';
import { hugeValue } from '../src/audit/rules/huge-value.ts';
import { jsonString, looksLikeJson } from '../src/audit/rules/json-string.ts';
import { largeCollection } from '../src/audit/rules/large-collection.ts';
import { noNamespace } from '../src/audit/rules/no-namespace.ts';
import type { AuditRule } from '../src/audit/rules/rule.ts';
import { Separators } from '../src/audit/separators.ts';
import type { KeyRecord } from '../src/audit/types.ts';

const thresholds = { largeCollectionLength: 100, hugeValueBytes: 1000 };

const colon = new Separators([':'], false);

function run(rule: AuditRule, records: KeyRecord[]) {
  const state = rule.start(thresholds);
  for (const record of records) {
    record.separator = colon.of(record.key);
    if (state.wantsHead && !state.wantsHead(record)) delete record.head;
    state.observe(record);
  }
  return state.finish();
}

const str = (key: string, extra: Partial<KeyRecord> = {}): KeyRecord => ({
  key,
  type: 'string',
  ttlMs: -1,
  bytes: 50,
  ...extra,
});

describe('audit findings rules', () => {
  it('huge-value: values over the limit, not at it', () => {
    const result = run(hugeValue, [str('a:1', { bytes: 1001 }), str('a:2', { bytes: 1000 })]);
    expect(result).toEqual({ count: 1, keys: ['a:1'], prefixes: ['a:*'] });
  });

  it('large-collection: collections with more elements than the limit; strings never match', () => {
    const result = run(largeCollection, [
      { key: 'q:big', type: 'list', ttlMs: -1, bytes: 10, length: 101 },
      { key: 'q:small', type: 'set', ttlMs: -1, bytes: 10, length: 100 },
      str('q:str', { length: 5000 }),
    ]);
    expect(result?.keys).toEqual(['q:big']);
  });

  it('no-namespace: keys without a colon', () => {
    expect(run(noNamespace, [str('plain'), str('ns:k'), str('other')])).toEqual({ count: 2, keys: ['plain', 'other'] });
  });

  it('json-string: recognises objects and arrays, not scalars or text, and samples a few keys per parent', () => {
    expect(looksLikeJson('{"a":1}', true)).toBe(true);
    expect(looksLikeJson('[1,2]', true)).toBe(true);
    expect(looksLikeJson('{"a":', false)).toBe(true);
    expect(looksLikeJson('{not json}', true)).toBe(false);
    expect(looksLikeJson('42', true)).toBe(false);
    expect(looksLikeJson('"text"', true)).toBe(false);
    expect(looksLikeJson('{"a":', true)).toBe(false);
    const records = Array.from({ length: 20 }, (_, i) => str(`cache:product:${i}`, { head: `{"id":${i}}` }));
    const result = run(jsonString, [...records, str('cache:note:1', { head: 'hello' })]);
    expect(result?.count).toBe(8);
    expect(result?.prefixes).toEqual(['cache:product:*']);
  });

  it('hash-field-ttl-emulation: repeated field names under many ids, with TTLs', () => {
    const fields = Array.from({ length: 10 }, (_, id) =>
      ['name', 'email'].map((f) => str(`app:user:${id}:${f}`, { ttlMs: 60_000 })),
    ).flat();
    const result = run(hashFieldTtlEmulation, fields);
    expect(result?.count).toBe(20);
    expect(result?.prefixes).toEqual(['app:user:*:{email,name}']);
  });

  it('hash-field-ttl-emulation: ignores id-like last segments, keys without TTL and one field per id', () => {
    const ids = Array.from({ length: 50 }, (_, i) => str(`cache:product:${i}`, { ttlMs: 60_000 }));
    const noTtl = Array.from({ length: 20 }, (_, i) => str(`app:user:${i % 10}:${i < 10 ? 'name' : 'email'}`));
    const locks = Array.from({ length: 20 }, (_, i) => str(`app:job:${i}:lock`, { ttlMs: 1000 }));
    expect(run(hashFieldTtlEmulation, [...ids, ...noTtl, ...locks])).toBeUndefined();
  });
});
