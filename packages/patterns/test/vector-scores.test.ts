import { describe, expect, it } from 'vitest';
import { type Capabilities, CapabilityMissingError } from '../src/capabilities.ts';
import { ExactSearch, pickVectorBackend, recallAtK, VectorDimensionError } from '../src/vector/index.ts';
import { parseVsimReply, VectorSetIndex, vsimCommand } from '../src/vector/vector-set-index.ts';
import {
  cosineSimilarity,
  similarityFromCosine,
  similarityFromCosineDistance,
  toFp32Blob,
} from '../src/vector/vectors.ts';

describe('scores', () => {
  it('maps FT cosine distance (1 - cos, in [0, 2]) to the same [0, 1] similarity VSIM reports', () => {
    expect(similarityFromCosineDistance(0)).toBe(1);
    expect(similarityFromCosineDistance(1)).toBe(0.5);
    expect(similarityFromCosineDistance(2)).toBe(0);
    // One pair of vectors, both ways: (1 + cos) / 2 from the cosine and from the distance agree.
    const a = [1, 0, 0];
    const b = [0.9, 0.1, 0];
    const cos = cosineSimilarity(a, b);
    expect(similarityFromCosineDistance(1 - cos)).toBeCloseTo(similarityFromCosine(cos), 12);
    // The value Redis 8.0.2 answered for this pair: VSIM k VALUES 3 1 0 0 WITHSCORES → b 0.996941864490509.
    expect(similarityFromCosine(cos)).toBeCloseTo(0.996941864490509, 6);
  });

  it('clamps rounding noise into [0, 1]', () => {
    expect(similarityFromCosineDistance(-1e-7)).toBe(1);
    expect(similarityFromCosineDistance(2.0000001)).toBe(0);
  });

  it('parses a VSIM WITHSCORES reply', () => {
    expect(parseVsimReply(['a', '1', 'b', '0.996941864490509'])).toEqual([
      { id: 'a', score: 1 },
      { id: 'b', score: 0.996941864490509 },
    ]);
  });
});

describe('VSIM arguments', () => {
  it('sends the FP32 blob, COUNT, EF and the FILTER expression', () => {
    const blob = toFp32Blob([1, 0]);
    const vsim = vsimCommand('k', blob, { k: 3, ef: 300, filter: { equals: { category: 'x' } } });
    // The set's key is the first argument, so the batch module routes VSIM to the node that holds the set.
    expect(vsim.keys).toEqual([0]);
    expect([vsim.name, ...vsim.args]).toEqual([
      'VSIM',
      'k',
      'FP32',
      blob,
      'WITHSCORES',
      'COUNT',
      '3',
      'EF',
      '300',
      'FILTER',
      '.category == "x"',
    ]);
    expect(() => vsimCommand('k', blob, { k: 0 })).toThrow(/positive integer/);
  });

  it('encodes vectors as little-endian float32', () => {
    const blob = toFp32Blob([1.5, -2]);
    expect(blob.length).toBe(8);
    expect(blob.readFloatLE(0)).toBe(1.5);
    expect(blob.readFloatLE(4)).toBe(-2);
  });
});

describe('dimension checks', () => {
  // No command is sent: the checks run before the client is touched.
  const index = new VectorSetIndex({} as never, { name: 'products', dim: 4 });

  it('refuses a query or an item of the wrong dimension, naming both dimensions', async () => {
    await expect(index.search([1, 2, 3])).rejects.toThrow(VectorDimensionError);
    await expect(index.search([1, 2, 3])).rejects.toThrow(
      /Query vector has 3 dimensions but index "products" expects 4/,
    );
    await expect(index.upsert([{ id: 'x', vector: [1, 2, 3, 4, 5] }])).rejects.toThrow(/"x" has 5 dimensions/);
    await expect(index.upsert([{ id: 'x', vector: [1, Number.NaN, 3, 4] }])).rejects.toThrow(
      /not a finite 32-bit float/,
    );
  });
});

describe('backend choice', () => {
  const base: Capabilities = {
    server: 'redis',
    version: '8.0.2',
    cluster: false,
    json: false,
    search: false,
    vectorSets: false,
    hashFieldTtl: false,
  };

  it('prefers FT on JSON, then vector sets', () => {
    expect(pickVectorBackend({ ...base, json: true, search: true, vectorSets: true })).toBe('ft-json');
    expect(pickVectorBackend({ ...base, vectorSets: true })).toBe('vector-set');
    expect(pickVectorBackend({ ...base, search: true, vectorSets: true })).toBe('vector-set');
  });

  it('refuses a server with neither, naming vector sets', () => {
    const valkey = { ...base, server: 'valkey' as const, version: '8.1.1' };
    expect(() => pickVectorBackend(valkey)).toThrow(CapabilityMissingError);
    expect(() => pickVectorBackend(valkey)).toThrow(/valkey 8\.1\.1 has no vector sets \(VADD\).*neither/);
  });

  it('names the missing capability when a backend is asked for', () => {
    try {
      pickVectorBackend({ ...base, vectorSets: true, search: true }, 'ft-json');
      expect.unreachable();
    } catch (error) {
      expect((error as CapabilityMissingError).capability).toBe('json');
    }
  });
});

describe('recall against brute force', () => {
  it('ranks by cosine and counts the share of true neighbours found', () => {
    const items = [
      { id: 'a', vector: [1, 0] },
      { id: 'b', vector: [0.8, 0.2] },
      { id: 'c', vector: [0, 1] },
      { id: 'd', vector: [-1, 0] },
    ];
    const exact = new ExactSearch(items);
    expect(exact.topK([1, 0.1], 3)).toEqual(['a', 'b', 'c']);
    expect(exact.topK([-1, 0], 2)).toEqual(['d', 'c']);
    // Equal scores are ordered by id.
    expect(new ExactSearch([...items, { id: 'a2', vector: [2, 0] }]).topK([1, 0], 2)).toEqual(['a', 'a2']);
    expect(recallAtK(['a', 'c', 'd'], ['a', 'b', 'c'], 3)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(['b', 'a'], ['a', 'b', 'c'], 2)).toBe(1);
  });
});
