import { describe, expect, it } from 'vitest';
import { escapeTag, ftFilterQuery, vectorSetFilter } from '../src/vector/filters.ts';

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
