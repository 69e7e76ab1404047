import { describe, expect, it } from 'vitest';
import { fieldMap, fieldRecord } from '../src/index.ts';

describe('flat field/value replies', () => {
  // The shape of HELLO 2 on Redis 8.0.2, shortened.
  const hello = ['server', 'redis', 'version', '8.0.2', 'proto', 2, 'mode', 'standalone', 'modules', []];

  it('pairs fields with their values, as a Map and as an object', () => {
    expect(fieldMap(hello).get('version')).toBe('8.0.2');
    expect(fieldMap(hello).get('proto')).toBe(2);
    expect(fieldRecord(hello)).toEqual({
      server: 'redis',
      version: '8.0.2',
      proto: 2,
      mode: 'standalone',
      modules: [],
    });
  });

  it('leaves out a trailing field without a value, keeps the last of a repeated field, and reads nil as empty', () => {
    expect([...fieldMap(['a', 1, 'a', 2, 'b'])]).toEqual([['a', 2]]);
    expect(fieldRecord(['a', 1, 'a', 2, 'b'])).toEqual({ a: 2 });
    expect(fieldMap(null).size).toBe(0);
    expect(fieldRecord(null)).toEqual({});
  });

  it('keeps a hash field named __proto__ as data, not as the prototype', () => {
    const fields = fieldRecord<string>(['__proto__', 'x', 'name', 'y']);
    expect(Object.keys(fields)).toEqual(['__proto__', 'name']);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(fields))).toEqual(fields);
  });
});
