/**
 * The FT.CREATE / FT.SEARCH backend's command building and reply parsing, on replies written down from the
 * documented RESP2 formats (this machine's Redis 8.0 has no search; the suite runs the real thing where it exists).
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../src/cluster/batch.ts';
import {
  ftCreateCommand,
  ftNames,
  ftSearchCommand,
  parseFtInfo,
  parseFtSearchReply,
} from '../src/vector/ft-json-index.ts';
import { toFp32Blob } from '../src/vector/vectors.ts';

/** A command as it goes on the wire: its name, then its arguments. */
const wire = (cmd: Command) => [cmd.name, ...cmd.args];

const options = {
  name: 'products',
  dim: 768,
  keyPrefix: 'shop:product',
  fields: { name: 'text', category: 'tag', price: 'numeric' } as const,
};
const names = ftNames(options);

describe('FT.CREATE', () => {
  it('indexes $.embedding as a 768-dim FLOAT32 cosine HNSW vector plus the declared fields, on JSON', () => {
    // No argument contains a space, so the joined form is unambiguous and reads like the command.
    expect(wire(ftCreateCommand(names, options)).join(' ')).toBe(
      'FT.CREATE shop:product:idx ON JSON PREFIX 1 shop:product:doc: SCHEMA ' +
        '$.embedding AS embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 768 DISTANCE_METRIC COSINE ' +
        '$.name AS name TEXT $.category AS category TAG $.price AS price NUMERIC',
    );
  });

  it('counts the HNSW parameters it adds', () => {
    const args = wire(ftCreateCommand(names, { ...options, fields: {}, m: 32, efConstruction: 400, efSearch: 100 }));
    expect(args.slice(11).join(' ')).toBe(
      'VECTOR HNSW 12 TYPE FLOAT32 DIM 768 DISTANCE_METRIC COSINE M 32 EF_CONSTRUCTION 400 EF_RUNTIME 100',
    );
  });

  it('refuses an attribute that would shadow the vector field', () => {
    expect(() => ftCreateCommand(names, { ...options, fields: { embedding: 'tag' } })).toThrow(/vector's own field/);
  });
});

describe('FT.SEARCH', () => {
  const blob = toFp32Blob(new Float32Array(768).fill(0.5));

  it('builds a KNN query with a pre-filter, the vector as a parameter, sorted by distance, dialect 2', () => {
    const search = ftSearchCommand(
      names,
      blob,
      { k: 5, filter: { equals: { category: ['hiking', 'camp gear'] }, ranges: { price: { min: 10, max: 99.5 } } } },
      options.fields,
    );
    // An index name is not a key: the command is keyless, and any node may take it.
    expect(search.keys).toEqual([]);
    expect(wire(search)).toEqual([
      'FT.SEARCH',
      'shop:product:idx',
      '(@category:{hiking | camp\\ gear} @price:[10 99.5])=>[KNN 5 @embedding $vec AS __distance]',
      'PARAMS',
      '2',
      'vec',
      blob,
      'SORTBY',
      '__distance',
      'ASC',
      'RETURN',
      '4',
      '__distance',
      'name',
      'category',
      'price',
      'LIMIT',
      '0',
      '5',
      'DIALECT',
      '2',
    ]);
  });

  it('uses * without filters and passes EF_RUNTIME inside the KNN clause', () => {
    const [, , query] = wire(ftSearchCommand(names, blob, { k: 10, ef: 150 }, options.fields));
    expect(query).toBe('*=>[KNN 10 @embedding $vec EF_RUNTIME 150 AS __distance]');
  });

  it('refuses filters on fields that are not indexed with the matching type', () => {
    expect(() => ftSearchCommand(names, blob, { filter: { equals: { colour: 'red' } } }, options.fields)).toThrow(
      /"colour": it is not indexed as TAG/,
    );
    expect(() => ftSearchCommand(names, blob, { filter: { ranges: { name: { min: 1 } } } }, options.fields)).toThrow(
      /not indexed as NUMERIC/,
    );
  });

  it('parses hits: ids without the prefix, cosine distance as (1 + cos) / 2, numeric fields as numbers', () => {
    // RESP2 reply of FT.SEARCH … RETURN 4 __distance name category price, as documented:
    // 1) total, then key, [field, value, …] per document.
    const reply = [
      2,
      'shop:product:doc:p-17',
      ['__distance', '0.0834', 'name', 'Trail Runner Boots', 'category', 'footwear', 'price', '129.9'],
      'shop:product:doc:p-4',
      ['__distance', '1.2', 'name', 'Camp Stove', 'category', 'camping', 'price', '45'],
    ];
    const hits = parseFtSearchReply(reply, names, options.fields);
    expect(hits).toHaveLength(2);
    expect(hits[0]).toEqual({
      id: 'p-17',
      score: expect.closeTo(1 - 0.0834 / 2, 9),
      attributes: { name: 'Trail Runner Boots', category: 'footwear', price: 129.9 },
    });
    expect(hits[1]?.score).toBeCloseTo(0.4, 9);
    expect(parseFtSearchReply([0], names, options.fields)).toEqual([]);
  });
});

describe('FT.INFO', () => {
  it('reads the vector dimension, document count and HNSW settings', () => {
    // Abridged RESP2 reply of FT.INFO for the index above.
    const reply = [
      'index_name',
      'shop:product:idx',
      'index_options',
      [],
      'index_definition',
      ['key_type', 'JSON', 'prefixes', ['shop:product:doc:'], 'default_score', '1'],
      'attributes',
      [
        [
          'identifier',
          '$.embedding',
          'attribute',
          'embedding',
          'type',
          'VECTOR',
          'algorithm',
          'HNSW',
          'data_type',
          'FLOAT32',
          'dim',
          768,
          'distance_metric',
          'COSINE',
          'M',
          16,
          'ef_construction',
          200,
        ],
        ['identifier', '$.category', 'attribute', 'category', 'type', 'TAG', 'SEPARATOR', ','],
      ],
      'num_docs',
      '300',
      'max_doc_id',
      '300',
      'indexing',
      '0',
      'percent_indexed',
      '1',
      'hash_indexing_failures',
      '0',
    ];
    const state = parseFtInfo(reply);
    expect(state.dim).toBe(768);
    expect(state.numDocs).toBe(300);
    expect(state.details).toMatchObject({ algorithm: 'HNSW', m: '16', ef_construction: '200', indexing: '0' });
    // Without a readable dimension the state says so rather than guessing.
    expect(parseFtInfo(['attributes', [['attribute', 'embedding', 'type', 'VECTOR']], 'num_docs', '0']).dim).toBe(
      undefined,
    );
  });
});
