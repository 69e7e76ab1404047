/** The vector tool's filter argument: zod drops `__proto__` keys from records, so the tool refuses them first. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '../src/config.ts';
import vectorGroup from '../src/tools/vector.ts';

const tool = vectorGroup.tools[0];
if (!tool) throw new Error('the vector group has no tool');
const input = z.object(tool.input({ limits: DEFAULT_LIMITS }));

describe('vector tool filter', () => {
  it('refuses a __proto__ key in equals or ranges rather than searching unfiltered', () => {
    for (const raw of ['{"equals":{"__proto__":"kitchen"}}', '{"ranges":{"__proto__":{"min":1}}}']) {
      const parsed = input.safeParse({ index: 'i', text: 't', filter: JSON.parse(raw) });
      expect(parsed.success, raw).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/__proto__/);
    }
  });

  it('keeps an ordinary filter as given', () => {
    const filter = { equals: { category: 'kitchen' }, ranges: { price: { min: 1e-7 } } };
    const parsed = input.safeParse({ index: 'i', text: 't', filter });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.filter).toEqual(filter);
  });
});
