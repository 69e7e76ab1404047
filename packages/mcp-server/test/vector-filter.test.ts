/**
 * The vector tool's filter argument arrives whole: a `__proto__` key is kept (zod's record would drop it, and the
 * search would run unfiltered), so the patterns see it and refuse it (harness/test/mcp-field-names.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '../src/config.ts';
import vectorGroup from '../src/tools/vector.ts';

const tool = vectorGroup.tools[0];
if (!tool) throw new Error('the vector group has no tool');
const input = z.object(tool.input({ limits: DEFAULT_LIMITS }));

describe('vector tool filter', () => {
  it('keeps a __proto__ key in equals or ranges, as an own key, rather than dropping the filter', () => {
    for (const [part, raw] of [
      ['equals', '{"equals":{"__proto__":"kitchen"}}'],
      ['ranges', '{"ranges":{"__proto__":{"min":1}}}'],
    ] as const) {
      const parsed = input.safeParse({ index: 'i', text: 't', filter: JSON.parse(raw) });
      expect(parsed.success, raw).toBe(true);
      const kept = (parsed.data?.filter as Record<string, object> | undefined)?.[part];
      expect(Object.keys(kept ?? {}), raw).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    }
  });

  it('keeps an ordinary filter as given', () => {
    const filter = { equals: { category: 'kitchen' }, ranges: { price: { min: 1e-7 } } };
    const parsed = input.safeParse({ index: 'i', text: 't', filter });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.filter).toEqual(filter);
  });
});
