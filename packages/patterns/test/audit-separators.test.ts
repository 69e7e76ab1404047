import { describe, expect, it } from 'vitest';
import { checkSeparators, parentOf, segmentsOf, Separators } from '../src/audit/separators.ts';

describe('audit separators', () => {
  it('detects the separators that make shared prefixes, and : wherever it is', () => {
    const names = [
      ...Array.from({ length: 20 }, (_, i) => `api/v1/token/${i}`),
      ...Array.from({ length: 20 }, (_, i) => `metrics.cpu.host${i}`),
      ...Array.from({ length: 5 }, (_, i) => `tenant|${i}|seen`),
      ...Array.from({ length: 5 }, (_, i) => `cache:user-${i}:name`),
      // Ids with dashes: every first segment differs, so '-' is not a separator here.
      ...Array.from({ length: 20 }, (_, i) => `${i}0e8400-e29b-41d4-a716-4466554400${i}`),
    ];
    const separators = Separators.detect(names);
    expect(separators.list).toEqual([':', '/', '|', '.']);
    expect(separators.detected).toBe(true);
    expect(separators.of('cache:user-1:name')).toBe(':');
    expect(separators.of('api/v1/token/x')).toBe('/');
    expect(separators.of('10e8400-e29b')).toBeUndefined();
  });

  it('uses - or _ when they do make namespaces', () => {
    const names = Array.from({ length: 10 }, (_, i) => [`user_settings_${i}`, `order-${i}`]).flat();
    expect(Separators.detect(names).list).toEqual(['-', '_']);
  });

  it('keeps leading separators on the first segment', () => {
    expect(segmentsOf(':lead:1', ':')).toEqual([':lead', '1']);
    expect(segmentsOf('::x', ':')).toEqual(['::x']);
    expect(new Separators([':'], false).of(':x')).toBeUndefined();
    expect(parentOf(':lead:1', ':')).toBe(':lead');
    expect(parentOf('a:b:c', ':')).toBe('a:b');
    expect(parentOf('plain', undefined)).toBe('');
  });

  it('takes the caller separators in their order, and refuses letters or digits', () => {
    expect(checkSeparators('/:')).toEqual(['/', ':']);
    expect(() => checkSeparators('a')).toThrow(/separators must be ASCII punctuation/);
    expect(() => checkSeparators('')).toThrow(/separators/);
    expect(new Separators(['/', ':'], false).of('a:b/c')).toBe('/');
  });
});
