/**
 * A vector index over text (the patterns' `chooseVectorIndex`): documents are embedded by the embedder the
 * environment names (EMBEDDINGS_URL and EMBEDDINGS_MODEL for an OpenAI-compatible HTTP embedder, else the local
 * hashing embedder). The backend follows the server: search with JSON, else vector sets; a server with neither
 * (Valkey 8.1) gets an error naming vector sets. Read ops open the index without creating anything.
 */
import {
  type Attributes,
  chooseVectorIndex,
  type Embedder,
  embedderFromEnv,
  openVectorIndex,
  type VectorIndex,
  type VectorIndexOptions,
  type VectorItem,
} from '@redis-agent-kit/patterns/vector';
import { z } from 'zod';
import { command } from '@redis-agent-kit/patterns/cluster';
import { assertValueSize, ttlForNewKey } from '../guard.ts';
import {
  args,
  DEFAULT_COUNT,
  defineGroup,
  defineTool,
  listedAs,
  type SchemaOptions,
  sendCommands,
  type ToolContext,
} from '../tool.ts';

const embedders = new WeakMap<ToolContext, Embedder>();

function embedderFor(ctx: ToolContext): Embedder {
  let embedder = embedders.get(ctx);
  if (!embedder) embedders.set(ctx, (embedder = embedderFromEnv(ctx.env)));
  return embedder;
}

/** `ensure` creates the index where the backend needs it; otherwise the index is only opened. */
async function open(ctx: ToolContext, options: VectorIndexOptions, ensure: boolean): Promise<VectorIndex> {
  const withCaps = { ...options, capabilities: ctx.caps };
  return ensure ? chooseVectorIndex(ctx.redis, withCaps) : openVectorIndex(ctx.redis, withCaps);
}

/**
 * Upserts under the TTL rule of every write: the keys this call creates (the vector set, or new documents) get
 * `ttl` (none for 0); keys that existed keep theirs. The existence check and the EXPIRE are not atomic with the
 * upsert, so a key a concurrent writer creates in between may get the TTL too, but only when it has none (NX).
 */
async function upsertWithTtl(ctx: ToolContext, index: VectorIndex, items: VectorItem[], ttl: number): Promise<number> {
  const keys = [...new Set(index.keysOf(items.map((item) => item.id)))];
  const existed =
    ttl > 0
      ? await sendCommands(
          ctx,
          keys.map((key) => command('EXISTS', key)),
        )
      : [];
  const count = await index.upsert(items);
  const created = keys.filter((_, i) => existed[i] === 0);
  if (created.length)
    await sendCommands(
      ctx,
      created.map((key) => command('EXPIRE', key, ttl, 'NX')),
    );
  return count;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A filter on an attribute named `__proto__` reaches the patterns, which refuse it (JavaScript objects drop it or
 * treat it as their prototype): `args.record` keeps it, where zod's record would drop it and search unfiltered.
 */
function filterSchema(limits: SchemaOptions['limits']) {
  const schema = z.object({
    // Filter values are compared, not stored: bounded like names.
    equals: args.record(args.name(limits), z.union([args.name(limits), z.number(), z.boolean()])).optional(),
    ranges: args
      .record(args.name(limits), z.object({ min: z.number().optional(), max: z.number().optional() }))
      .optional(),
  });
  return listedAs(schema, { type: 'object', description: '{equals: {attr: value}, ranges: {attr: {min, max}}}' });
}

export default defineGroup(
  'vector',
  defineTool({
    name: 'vector',
    summary: 'Vector index of texts the server embeds.',
    bound: 'O(docs or ids · log n)',
    ops: {
      search: ['read', '', 'k nearest'],
      info: ['read', '', 'O(1)'],
      ensure: ['write', 'create; fields: FT filter types', 'O(1)'],
      upsert: ['write', ''],
      delete: ['write', ''],
    },
    input: ({ limits }) => ({
      index: args.name(limits),
      fields: args.record(args.name(limits), z.enum(['tag', 'text', 'numeric'])).optional(),
      text: z.string().optional(),
      k: args.count(limits),
      filter: filterSchema(limits).optional(),
      docs: listedAs(
        z
          .array(
            z.object({
              id: args.name(limits),
              text: z.string(),
              attrs: args.record(args.name(limits), scalar).optional(),
            }),
          )
          .max(limits.maxItems),
        { type: 'array', description: '[{id, text, attrs?: {attr: scalar}}]' },
      ).optional(),
      ids: z.array(args.name(limits)).max(limits.maxItems).optional(),
      ttl: args.ttl,
    }),
    writeArgs: ['fields', 'docs', 'ids', 'ttl'],
    output: {
      count: z.number().int().optional(),
      hits: z
        .array(z.object({ id: z.string(), score: z.number(), attributes: z.record(z.string(), z.unknown()) }))
        .optional(),
      info: z.record(z.string(), z.unknown()).optional(),
    },
    async run(input, ctx) {
      const options: VectorIndexOptions = {
        name: input.index,
        dim: embedderFor(ctx).dim,
        ...(input.fields ? { fields: input.fields } : {}),
      };
      // Refused before the index is opened (ensure may create it) when no TTL can be resolved.
      const ttl = input.op === 'upsert' ? ttlForNewKey(input, ctx.limits) : 0;
      const index = await open(ctx, options, input.op === 'ensure' || input.op === 'upsert');
      switch (input.op) {
        case 'ensure':
          return {};
        case 'info':
          return { info: { ...(await index.info()) } };
        case 'search': {
          if (input.text === undefined) throw new Error('search needs text');
          const [vector] = await embedderFor(ctx).embed([input.text]);
          const hits = await index.search(vector as Float32Array, {
            k: input.k ?? DEFAULT_COUNT,
            ...(input.filter ? { filter: input.filter } : {}),
          });
          return { hits };
        }
        case 'upsert': {
          const docs = input.docs ?? [];
          if (!docs.length) throw new Error('upsert needs docs: [{id, text, attrs?}]');
          assertValueSize(
            docs.map((doc) => doc.text + JSON.stringify(doc.attrs ?? {})),
            ctx.limits,
          );
          const vectors = await embedderFor(ctx).embed(docs.map((doc) => doc.text));
          const items = docs.map((doc, i) => ({
            id: doc.id,
            vector: vectors[i] as Float32Array,
            ...(doc.attrs ? { attributes: doc.attrs as Attributes } : {}),
          }));
          return { count: await upsertWithTtl(ctx, index, items, ttl) };
        }
        case 'delete':
          if (!input.ids?.length) throw new Error('delete needs ids');
          return { count: await index.delete(input.ids) };
      }
    },
  }),
);
