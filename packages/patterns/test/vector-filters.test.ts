import { describe, expect, it } from 'vitest';
import { escapeTag } from '../src/vector/filter-values.ts';
import { ftFilterQuery, vectorSetFilter } from '../src/vector/filters.ts';

describe('vector set FILTER expressions', () => {
  it('joins equality, membership and ranges with and', () => {
    expect(
      vectorSetFilter({
        equals: { category: 'footwear', inStock: true, brand: ['Acme', 'Zenith'] },
        ranges: { price: { min: 10, max: 99.5 }, rating: { min: 4 } },
      }),
    ).toBe(
      '.category == "footwear" and .inStock == 1 and .brand in ["Acme", "Zenith"] and .price >= 10 and .price <= 99.5 and .rating >= 4',
    );
  });

  it('is undefined when there is nothing to filter', () => {
    expect(vectorSetFilter(undefined)).toBeUndefined();
    expect(vectorSetFilter({ equals: {}, ranges: { price: {} } })).toBeUndefined();
  });

  it('quotes with the quote a value lacks, since the server cannot unescape', () => {
    expect(vectorSetFilter({ equals: { name: 'the "best"' } })).toBe(`.name == 'the "best"'`);
    expect(() => vectorSetFilter({ equals: { name: `it's "x"` } })).toThrow(/both quote characters/);
    expect(() => vectorSetFilter({ equals: { name: 'a\\b' } })).toThrow(/backslash/);
  });

  it('refuses field names that are not plain identifiers, empty sets and impossible ranges', () => {
    expect(() => vectorSetFilter({ equals: { 'a or 1': 'x' } })).toThrow(/not a plain attribute name/);
    expect(() => vectorSetFilter({ equals: { brand: [] } })).toThrow(/lists no values/);
    expect(() => vectorSetFilter({ ranges: { price: { min: 5, max: 1 } } })).toThrow(/empty/);
    expect(() => vectorSetFilter({ ranges: { price: { min: Number.NaN } } })).toThrow(/non-finite/);
  });
});

describe('FT query filters', () => {
  const fields = { category: 'tag', price: 'numeric', name: 'text' } as const;

  it('builds tag sets and open or closed numeric ranges', () => {
    expect(ftFilterQuery({ equals: { category: 'books' }, ranges: { price: { max: 20 } } }, fields)).toBe(
      '(@category:{books} @price:[-inf 20])',
    );
    expect(ftFilterQuery({ ranges: { price: { min: 5 } } }, fields)).toBe('(@price:[5 +inf])');
    expect(ftFilterQuery(undefined, fields)).toBe('*');
  });

  it('escapes tag punctuation and spaces', () => {
    expect(escapeTag('t-shirts & tops')).toBe('t\\-shirts\\ \\&\\ tops');
    expect(ftFilterQuery({ equals: { category: ['a.b', 'c|d'] } }, fields)).toBe('(@category:{a\\.b | c\\|d})');
  });
});

describe('filter numbers are written in a form each language reads back exactly', () => {
  const range = (min: number) => vectorSetFilter({ ranges: { price: { min } } });

  it('vector sets: no exponent sign (1e-7 as a plain decimal, 1e+21 as 1e21), -0 as 0, integers past 2^53 as digits', () => {
    expect(range(1e-7)).toBe('.price >= 0.0000001');
    expect(range(-1.25e-7)).toBe('.price >= -0.000000125');
    expect(range(1e21)).toBe('.price >= 1e21');
    expect(range(-1.7976931348623157e308)).toBe('.price >= -1.7976931348623157e308');
    expect(range(-0)).toBe('.price >= 0');
    expect(range(2 ** 53 + 2)).toBe('.price >= 9007199254740994');
    expect(vectorSetFilter({ equals: { n: 1e-7 } })).toBe('.n == 0.0000001');
  });

  it('vector sets: every rendered number parses back to the same double', () => {
    for (const n of [1e-7, 1.5e-10, 123.456e-20, 1e-200, 5e-100, 0.1, 1e21, 9.999e300, 2 ** 53 + 2, -3.3e-5]) {
      const token = (range(n) as string).slice('.price >= '.length);
      expect(token).toMatch(/^-?[0-9.e]+$/);
      expect(Number(token)).toBe(n);
    }
  });

  it('vector sets: a magnitude whose plain decimal overflows the 255-character token is refused, not sent', () => {
    expect(() => range(1e-300)).toThrow(/plain decimals of at most 255 characters/);
    expect(() => range(Number.MIN_VALUE)).toThrow(RangeError);
  });

  it('FT: exponent forms without the + the lexer refuses', () => {
    const fields = { price: 'numeric' } as const;
    expect(ftFilterQuery({ ranges: { price: { min: 1e-7, max: 1e21 } } }, fields)).toBe('(@price:[1e-7 1e21])');
    expect(ftFilterQuery({ ranges: { price: { min: -0 } } }, fields)).toBe('(@price:[0 +inf])');
  });
});

describe('filter text the servers cannot read back is refused', () => {
  it('NUL and lone surrogates in values, in both languages', () => {
    expect(() => vectorSetFilter({ equals: { category: 'kitchen\0' } })).toThrow(/NUL/);
    expect(() => vectorSetFilter({ equals: { category: ['home', '\0'] } })).toThrow(/NUL/);
    expect(() => vectorSetFilter({ equals: { category: '\uD800' } })).toThrow(/lone surrogate/);
    expect(() => ftFilterQuery({ equals: { category: 'a\0b' } }, { category: 'tag' })).toThrow(/NUL/);
    expect(() => ftFilterQuery({ equals: { category: 'a\x01b' } }, { category: 'tag' })).toThrow(/control/);
  });

  it('a __proto__ field name', () => {
    const filter = { equals: JSON.parse('{"__proto__":"x"}') as Record<string, string> };
    expect(() => vectorSetFilter(filter)).toThrow(/__proto__/);
    expect(() => ftFilterQuery(filter, { category: 'tag' })).toThrow(/__proto__/);
  });
});

describe('FT tag values', () => {
  const fields = { category: 'tag' } as const;

  it('are escaped by code point: an emoji or accented letter is kept whole, ASCII syntax gets a backslash', () => {
    expect(escapeTag('👟 shoes')).toBe('👟\\ shoes');
    expect(ftFilterQuery({ equals: { category: ['café', '👟'] } }, fields)).toBe('(@category:{café | 👟})');
    const query = ftFilterQuery({ equals: { category: '🏠-décor' } }, fields);
    expect(query).toBe('(@category:{🏠\\-décor})');
    expect(/\p{Surrogate}/u.test(query)).toBe(false);
  });

  it('refuse an empty value instead of building @field:{}', () => {
    expect(() => ftFilterQuery({ equals: { category: '' } }, fields)).toThrow(/empty tag value/);
    expect(() => ftFilterQuery({ equals: { category: ['a', ''] } }, fields)).toThrow(/empty tag value/);
  });
});
