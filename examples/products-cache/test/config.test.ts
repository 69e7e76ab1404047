import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { parseListQuery } from '../src/list-query.ts';

describe('products-cache config', () => {
  it('defaults: negative caching 10 s, L1 off, no simulated outage', () => {
    expect(loadConfig({})).toMatchObject({ notFoundTtlMs: 10_000, l1: 'off', originFailsAfterMs: undefined });
  });

  it('reads CACHE_L1, CACHE_NOT_FOUND_SECONDS and ORIGIN_FAILS_AFTER_SECONDS, refusing bad values', () => {
    const config = loadConfig({ CACHE_L1: 'bcast', CACHE_NOT_FOUND_SECONDS: '0', ORIGIN_FAILS_AFTER_SECONDS: '2.5' });
    expect(config).toMatchObject({ l1: 'bcast', notFoundTtlMs: 0, originFailsAfterMs: 2500 });
    expect(() => loadConfig({ CACHE_L1: 'yes' })).toThrow(/CACHE_L1 must be off, on or bcast/);
    expect(() => loadConfig({ ORIGIN_FAILS_AFTER_SECONDS: '-1' })).toThrow(/ORIGIN_FAILS_AFTER_SECONDS/);
  });
});

describe('products-cache list query', () => {
  it('takes ids or a page, with defaults, and names what is wrong otherwise', () => {
    expect(parseListQuery('/api/products')).toEqual({ limit: 50, offset: 0 });
    expect(parseListQuery('/api/products?limit=5&offset=10')).toEqual({ limit: 5, offset: 10 });
    expect(parseListQuery('/api/products?ids=3,1,3')).toEqual({ ids: ['3', '1'] });
    expect(parseListQuery('/api/products?ids=1&ids=2')).toMatch(/more than once/);
    expect(parseListQuery('/api/products?ids%5B%5D=1')).toMatch(/unknown query parameter "ids\[\]"/);
    expect(parseListQuery('/api/products?ids=')).toMatch(/no empty item/);
  });
});
