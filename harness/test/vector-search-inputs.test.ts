/**
 * The vector index against hostile and boundary inputs on real servers (issue 22): filter numbers the server's
 * FILTER parser must read back exactly, vector values float32 cannot hold, ids with no UTF-8 form, attributes
 * another client overwrote with something that is not JSON, and a cluster node reached without the cluster client.
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { keySlot } from '@redis-agent-kit/patterns/cluster';
import {
  efForRecall,
  openVectorIndex,
  type SearchFilter,
  type VectorIndex,
  VectorValueError,
} from '@redis-agent-kit/patterns/vector';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingLikeVectors } from '../src/suites/vector-search-data.ts';
import { clientFor, target } from '../src/vitest/index.ts';

const DIM = 16;

describe('vector set index on redis-8: hostile and boundary inputs', () => {
  let index: VectorIndex & { key?: string };
  let call: (...args: (string | Buffer)[]) => Promise<unknown>;
  const [near, other] = embeddingLikeVectors(2, DIM, 21, 4) as [Float32Array, Float32Array];

  beforeAll(async () => {
    const t = target('redis-8');
    const client = await clientFor(t);
    call = (name, ...args) => client.call(name as string, ...args);
    index = openVectorIndex(client, {
      name: 'inputs',
      keyPrefix: `rak:vector-inputs:${randomBytes(4).toString('hex')}`,
      dim: DIM,
      capabilities: t.capabilities,
    });
  });
  afterAll(() => index.drop());

  const ids = async (filter: SearchFilter) => (await index.search(near, { k: 50, filter })).map((hit) => hit.id).sort();

  it('filters on tiny, huge, negative-zero and past-2^53 numbers exactly as JavaScript compares them', async () => {
    const prices: Record<string, number> = {
      zero: 0,
      tiny: 1e-7,
      tinier: 2.5e-12,
      small: 0.5,
      big: 2 ** 53 + 2,
      huge: 1e21,
      negative: -3e-9,
      hugeNegative: -1e300,
    };
    await index.upsert(Object.entries(prices).map(([id, price]) => ({ id, vector: near, attributes: { price } })));
    const expected = (test: (price: number) => boolean) =>
      Object.keys(prices)
        .filter((id) => test(prices[id] as number))
        .sort();
    const bounds: { min?: number; max?: number }[] = [
      { min: 1e-7 },
      { min: 1e-8, max: 1e-7 },
      { max: 2.5e-12 },
      { min: -0 },
      { max: -0 },
      { min: 2 ** 53 + 1 },
      { min: 1e21 },
      { max: 1e21, min: 1e20 },
      { min: -1e300, max: -1e-9 },
      { min: 1e-200 },
    ];
    for (const range of bounds) {
      const want = expected(
        (p) => (range.min === undefined || p >= range.min) && (range.max === undefined || p <= range.max),
      );
      expect(await ids({ ranges: { price: range } }), JSON.stringify(range)).toEqual(want);
    }
    expect(await ids({ equals: { price: 1e-7 } })).toEqual(['tiny']);
    expect(await ids({ equals: { price: 1e21 } })).toEqual(['huge']);
    expect(await ids({ equals: { price: -0 } })).toEqual(['zero']);
    // Too small for the server's 255-character number token: refused here, never sent as a syntax error.
    await expect(index.search(near, { filter: { ranges: { price: { min: 1e-300 } } } })).rejects.toThrow(RangeError);
    await index.delete(Object.keys(prices));
  });

  it('refuses vectors float32 cannot hold, at upsert and at query, so nothing is stored as NaN', async () => {
    const overflow = Float32Array.from(near);
    const values = Array.from(near);
    values[3] = 1e39;
    const hugeNorm = Array.from({ length: DIM }, () => 1e20);
    for (const vector of [values, hugeNorm, [...Array.from(near).slice(1), -1e39]]) {
      await expect(index.upsert([{ id: 'bad', vector }])).rejects.toThrow(VectorValueError);
      await expect(index.search(vector)).rejects.toThrow(VectorValueError);
    }
    expect(await call('VEMB', (index as { key: string }).key, 'bad')).toBeNull();
    // The largest values float32 holds are accepted while the norm stays in range.
    overflow[0] = 3e18;
    await index.upsert([{ id: 'large', vector: overflow }]);
    const stored = (await call('VEMB', (index as { key: string }).key, 'large')) as string[];
    expect(stored.every((v) => Number.isFinite(Number(v)))).toBe(true);
    await index.delete(['large']);
  });

  it('refuses ids with lone surrogates, which would alias one element, and keeps astral ids whole', async () => {
    for (const id of ['\uD800', '\uDFFF', `a\uD83D`]) {
      await expect(index.upsert([{ id, vector: near }])).rejects.toThrow(/lone surrogate/);
      await expect(index.delete([id])).rejects.toThrow(/lone surrogate/);
    }
    expect((await index.info()).count).toBe(0);
    await index.upsert([
      { id: '👟', vector: near },
      { id: '🥾', vector: other },
    ]);
    expect((await index.search(near, { k: 2 })).map((hit) => hit.id)).toEqual(['👟', '🥾']);
    expect(await index.delete(['👟', '🥾'])).toBe(2);
  });

  it('a hit whose attributes another client overwrote with non-JSON is reported, and the search still answers', async () => {
    await index.upsert([
      { id: 'good', vector: near, attributes: { name: 'boots' } },
      { id: 'text', vector: near, attributes: { name: 'x' } },
      { id: 'array', vector: near, attributes: { name: 'y' } },
      { id: 'bytes', vector: other, attributes: { name: 'z' } },
    ]);
    const key = (index as { key: string }).key;
    await call('VSETATTR', key, 'text', 'not json');
    await call('VSETATTR', key, 'array', '[1,2]');
    await call('VSETATTR', key, 'bytes', Buffer.from([0xff, 0xfe, 0x7b]));
    const hits = await index.search(near, { k: 4 });
    const byId = new Map(hits.map((hit) => [hit.id, hit]));
    expect([...byId.keys()].sort()).toEqual(['array', 'bytes', 'good', 'text']);
    expect(byId.get('good')).toMatchObject({ attributes: { name: 'boots' } });
    expect(byId.get('good')?.attributeProblem).toBeUndefined();
    expect(byId.get('text')).toMatchObject({
      attributes: {},
      attributeProblem: expect.stringMatching(/not a JSON object: "not json"/),
    });
    expect(byId.get('array')).toMatchObject({
      attributes: {},
      attributeProblem: expect.stringMatching(/not a JSON object/),
    });
    expect(byId.get('bytes')).toMatchObject({ attributes: {}, attributeProblem: expect.stringMatching(/not UTF-8/) });
    await index.delete(['good', 'text', 'array', 'bytes']);
  });
});

describe('automatic EF on redis-8', () => {
  it('sends the EF the calibration table gives for the set size and recall target, unless one is fixed', async () => {
    const t = target('redis-8');
    const client = await clientFor(t);
    const keyPrefix = `rak:vector-ef:${randomBytes(4).toString('hex')}`;
    const index = openVectorIndex(client, {
      name: 'ef',
      keyPrefix,
      dim: DIM,
      capabilities: t.capabilities,
      recall: 0.99,
    });
    const vectors = embeddingLikeVectors(50, DIM, 9, 4);
    await index.upsert(vectors.map((vector, i) => ({ id: `v${i}`, vector })));
    const monitor = await (client as Redis).monitor();
    const sent: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === 'VSIM' && args[1] === `${keyPrefix}:vset`) sent.push(args);
    });
    try {
      const query = vectors[0] as Float32Array;
      await index.search(query, { k: 10 });
      await index.search(query, { k: 10, recall: 0.95 });
      await index.search(query, { k: 10, ef: 333 });
      await index.search(query, { k: 300 });
      await client.ping();
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      monitor.disconnect();
      await index.drop();
    }
    const efs = sent.map((args) => args[args.indexOf('EF') + 1]);
    expect(efs).toEqual([String(efForRecall(50, 0.99, 10)), String(efForRecall(50, 0.95, 10)), '333', '300']);
  });
});

describe('vector index through a plain client to one node of redis-cluster', () => {
  it('a MOVED reply becomes an error that says to use the cluster client (REDIS_CLUSTER=true)', async () => {
    const t = target('redis-cluster');
    const keyPrefix = `rak:vector-moved:${randomBytes(4).toString('hex')}`;
    const cluster = await clientFor(t);
    if (!(cluster instanceof Cluster)) throw new Error('the cluster target gave a standalone client');
    const owner = cluster.slots[keySlot(`${keyPrefix}:vset`)]?.[0];
    const elsewhere = t.nodes.find((url) => !url.endsWith(`:${owner?.split(':').pop()}`));
    if (!elsewhere) throw new Error('no node that does not serve the key');
    const client = await connect({ url: elsewhere, cluster: false });
    try {
      const index = openVectorIndex(client, { name: 'moved', keyPrefix, dim: DIM, capabilities: t.capabilities });
      const error = await index.ensure().catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/Redis Cluster node.*MOVED \d+ .*REDIS_CLUSTER=true/);
    } finally {
      await closeClient(client);
    }
  });
});
