/**
 * `args.record`, the schema of every object-of-names input (hash and stream fields, session data, vector attributes
 * and filters): every own entry is kept, `__proto__` included, where zod's record drops it; and no tool's input
 * uses zod's record, so a new tool gets the same.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '../src/config.ts';
import { args, listedSchema } from '../src/tool.ts';
import { GROUPS } from '../src/tools/index.ts';

const TRICKY = '{"__proto__":{"polluted":true},"constructor":"c","toString":"t","hasOwnProperty":"h","plain":"p"}';

describe('args.record', () => {
  const schema = args.record(z.string(), z.unknown());

  it("keeps every own entry, __proto__ included, as an own property; no object's prototype changes", () => {
    const parsed = schema.parse(JSON.parse(TRICKY));
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'plain']);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    // What zod's own record does with the same input: the reason this schema exists.
    expect(Object.keys(z.record(z.string(), z.unknown()).parse(JSON.parse(TRICKY)))).not.toContain('__proto__');
  });

  it('validates each entry, a __proto__ entry too, at its name', () => {
    const strings = args.record(args.name(DEFAULT_LIMITS), z.string());
    const bad = strings.safeParse(JSON.parse('{"ok":"1","__proto__":2}'));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => issue.path)).toEqual([['__proto__']]);
    expect(bad.error?.issues[0]?.message).toMatch(/expected string/);

    const long = 'x'.repeat(DEFAULT_LIMITS.maxNameBytes + 1);
    const tooLong = strings.safeParse({ [long]: 'v' });
    expect(tooLong.error?.issues[0]?.path).toEqual([long]);
    expect(tooLong.error?.issues[0]?.message).toMatch(/--max-name-bytes/);
  });

  it('refuses what is not an object as zod’s record does', () => {
    for (const value of ['text', 1, null, ['a']]) {
      const parsed = schema.safeParse(value);
      expect(parsed.success, JSON.stringify(value)).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/expected record/);
    }
  });

  it('is listed exactly as zod’s record', () => {
    const listed = (value: z.ZodType) => listedSchema(z.object({ fields: value }), 'input');
    expect(listed(args.record(z.string(), z.string()))).toEqual(listed(z.record(z.string(), z.string())));
    expect(listed(args.record(z.string(), z.string()).optional())).toEqual(
      listed(z.record(z.string(), z.string()).optional()),
    );
  });
});

/** Where a zod record (which drops `__proto__` keys) sits in a schema, as paths. */
function recordsIn(schema: z.core.$ZodType, path: string, found: string[] = []): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (inner: unknown, at: string) => recordsIn(inner as z.core.$ZodType, at, found);
  if (def.type === 'record') found.push(path);
  if (def.type === 'object') {
    for (const [name, inner] of Object.entries(def.shape as object)) walk(inner, `${path}.${name}`);
    if (def.catchall) walk(def.catchall, `${path}.*`);
  }
  if (def.innerType) walk(def.innerType, path);
  if (def.type === 'array') walk(def.element, `${path}[]`);
  if (def.type === 'union') for (const option of def.options as unknown[]) walk(option, path);
  if (def.type === 'pipe') for (const side of [def.in, def.out]) walk(side, path);
  if (def.type === 'intersection') for (const side of [def.left, def.right]) walk(side, path);
  if (def.type === 'tuple') for (const item of def.items as unknown[]) walk(item, `${path}[]`);
  return found;
}

describe('tool inputs', () => {
  it('the walk finds a zod record however it is wrapped', () => {
    const wrapped = z.object({ a: z.array(z.object({ b: z.record(z.string(), z.string()).optional() })) });
    expect(recordsIn(wrapped, 'x')).toEqual(['x.a[].b']);
  });

  it('no tool input is a zod record: every object of names is args.record', () => {
    const found = GROUPS.flatMap((group) =>
      group.tools.flatMap((tool) => recordsIn(z.object(tool.input({ limits: DEFAULT_LIMITS })), tool.name)),
    );
    expect(found).toEqual([]);
  });
});
