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
} from '@redis-agent-kit/patterns/vector';
import { z } from 'zod';
import { assertValueSize } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, type ToolContext } from '../tool.ts';

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

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export default defineGroup(
  'vector',
  defineTool({
    name: 'vector',
    summary: 'Vector index of texts the server embeds.',
    ops: {
      search: ['read', ''],
      info: ['read', ''],
      ensure: ['write', 'create (fields: what FT filters use)'],
      upsert: ['write', ''],
      delete: ['write', ''],
    },
    input: ({ limits }) => ({
      index: z.string(),
      fields: z.record(z.string(), z.enum(['tag', 'text', 'numeric'])).optional(),
      text: z.string().optional(),
      k: args.count(limits),
      filter: z
        .object({
          equals: z.record(z.string(), scalar).optional(),
          ranges: z.record(z.string(), z.object({ min: z.number().optional(), max: z.number().optional() })).optional(),
        })
        .optional(),
      docs: z
        .array(z.object({ id: z.string(), text: z.string(), attrs: z.record(z.string(), scalar).optional() }))
        .max(limits.maxItems)
        .optional(),
      ids: z.array(z.string()).max(limits.maxItems).optional(),
    }),
    writeArgs: ['fields', 'docs', 'ids'],
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
          return { count: await index.upsert(items) };
        }
        case 'delete':
          if (!input.ids?.length) throw new Error('delete needs ids');
          return { count: await index.delete(input.ids) };
      }
    },
  }),
);
