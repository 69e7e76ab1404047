import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../src/vector/embedders/hashing-embedder.ts';
import { HttpEmbedder } from '../src/vector/embedders/http-embedder.ts';
import { createHttpEmbedder, embedderFromEnv, VectorDimensionError } from '../src/vector/index.ts';
import { cosineSimilarity } from '../src/vector/vectors.ts';

describe('local hashing embedder', () => {
  const embedder = new HashingEmbedder({ dim: 768 });

  it('is deterministic and unit length', async () => {
    const [a, b] = await embedder.embed(['Waterproof hiking boots', 'Waterproof hiking boots']);
    expect(a).toHaveLength(768);
    expect(Array.from(a as Float32Array)).toEqual(Array.from(b as Float32Array));
    expect(cosineSimilarity(a as Float32Array, a as Float32Array)).toBeCloseTo(1, 6);
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 5);
  });

  it('gives the same vectors in another process, so one process can ingest and another query', () => {
    const texts = ['Waterproof hiking boots', 'Stainless steel espresso machine'];
    const code = `
      const { HashingEmbedder } = await import(${JSON.stringify(new URL('../src/vector/embedders/hashing-embedder.ts', import.meta.url).href)});
      const embedder = new HashingEmbedder({ dim: 768 });
      console.log(JSON.stringify(${JSON.stringify(texts)}.map((t) => Array.from(embedder.embedOne(t)))));`;
    const other = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
    expect(other).toEqual(texts.map((t) => Array.from(embedder.embedOne(t))));
  });

  it('puts similar texts closer than unrelated ones', async () => {
    const [query, near, far] = await embedder.embed([
      'hiking boots',
      'Waterproof leather hiking boot for trails',
      'Stainless steel espresso machine',
    ]);
    const nearScore = cosineSimilarity(query as Float32Array, near as Float32Array);
    const farScore = cosineSimilarity(query as Float32Array, far as Float32Array);
    expect(nearScore).toBeGreaterThan(0.3);
    expect(Math.abs(farScore)).toBeLessThan(0.15);
  });

  it('ignores case and accents, and refuses text with nothing to embed', async () => {
    expect(Array.from(embedder.embedOne('Café CRÈME'))).toEqual(Array.from(embedder.embedOne('cafe creme')));
    expect(() => embedder.embedOne(' -- ')).toThrow(/Nothing to embed/);
  });
});

describe('embedderFromEnv', () => {
  it('is local without EMBEDDINGS_URL, HTTP with it', () => {
    expect(embedderFromEnv({})).toBeInstanceOf(HashingEmbedder);
    const http = embedderFromEnv({ EMBEDDINGS_URL: 'http://127.0.0.1:9/v1', EMBEDDINGS_MODEL: 'm' });
    expect(http).toBeInstanceOf(HttpEmbedder);
    expect((http as HttpEmbedder).url).toBe('http://127.0.0.1:9/v1/embeddings');
    expect(() => embedderFromEnv({ EMBEDDINGS_URL: 'http://x/v1' })).toThrow(/EMBEDDINGS_MODEL/);
    expect(() => embedderFromEnv({ EMBEDDINGS_URL: 'http://x', EMBEDDINGS_MODEL: 'm', EMBEDDINGS_DIM: 'x' })).toThrow(
      /EMBEDDINGS_DIM/,
    );
  });
});

/** A stand-in for a remote OpenAI-compatible embeddings API (not a Redis mock): it records what it was sent. */
describe('OpenAI-compatible HTTP embedder', () => {
  const KEY = 'sk-test-0123456789abcdef';
  const seen: { auth: string | undefined; body: { model: string; input: string[]; dimensions?: number } }[] = [];
  let base = '';
  let mode: 'ok' | 'unauthorized' | 'wrong-dim' | 'overflow' = 'ok';
  const server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw);
    seen.push({ auth: req.headers.authorization, body });
    if (req.url !== '/v1/embeddings') {
      res.writeHead(404).end('not found');
      return;
    }
    if (mode === 'unauthorized') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }));
      return;
    }
    const dim = mode === 'wrong-dim' ? 384 : (body.dimensions ?? 8);
    // Answer out of order, as the API may: the embedder must place each by its index.
    const data = body.input
      .map((text: string, index: number) => ({
        object: 'embedding',
        index,
        embedding: Array.from({ length: dim }, (_, i) =>
          mode === 'overflow' && i === 1 ? 1e39 : i === 0 ? text.length : index + 1,
        ),
      }))
      .reverse();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data, model: body.model }));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts model and inputs in batches with the key as a bearer token, and orders replies by index', async () => {
    mode = 'ok';
    seen.length = 0;
    const embedder = createHttpEmbedder({ url: base, model: 'text-embed', apiKey: KEY, dim: 8, batchSize: 2 });
    const vectors = await embedder.embed(['a', 'bb', 'ccc']);
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3]);
    expect(vectors.map((v) => v[1])).toEqual([1, 2, 1]);
    expect(seen.map((s) => s.body.input)).toEqual([['a', 'bb'], ['ccc']]);
    expect(seen[0]?.auth).toBe(`Bearer ${KEY}`);
    expect(seen[0]?.body.model).toBe('text-embed');
    expect(seen[0]?.body.dimensions).toBeUndefined();
  });

  it('asks for EMBEDDINGS_DIM dimensions when configured', async () => {
    mode = 'ok';
    seen.length = 0;
    const embedder = embedderFromEnv({ EMBEDDINGS_URL: base, EMBEDDINGS_MODEL: 'm', EMBEDDINGS_DIM: '16' });
    const [vector] = await embedder.embed(['x']);
    expect(vector).toHaveLength(16);
    expect(seen[0]?.body.dimensions).toBe(16);
    expect(seen[0]?.auth).toBeUndefined();
  });

  it('refuses embeddings of another dimension', async () => {
    mode = 'wrong-dim';
    const embedder = createHttpEmbedder({ url: base, model: 'small', dim: 768 });
    await expect(embedder.embed(['x'])).rejects.toThrow(VectorDimensionError);
    await expect(embedder.embed(['x'])).rejects.toThrow(/has 384 dimensions but the configuration expects 768/);
  });

  it('fails (an upstream error, not a RangeError) on a value float32 cannot hold', async () => {
    mode = 'overflow';
    const embedder = createHttpEmbedder({ url: base, model: 'm', dim: 8 });
    const error = await embedder.embed(['x']).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(
      /embedding 0 has the value 1e\+39 at position 1, which is not a finite 32-bit float/,
    );
  });

  it('reports HTTP errors without the key, even when the API echoes it', async () => {
    mode = 'unauthorized';
    const embedder = createHttpEmbedder({ url: base, model: 'm', apiKey: KEY, dim: 8 });
    const error = await embedder.embed(['x']).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/HTTP 401/);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('refuses credentials in the URL without echoing them, and reports an unreachable API', async () => {
    const withSecret = () => createHttpEmbedder({ url: 'http://user:pw-secret@127.0.0.1:9/v1', model: 'm' });
    expect(withSecret).toThrow(/EMBEDDINGS_API_KEY/);
    expect(withSecret).not.toThrow(/pw-secret/);
    const embedder = createHttpEmbedder({ url: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 2000 });
    await expect(embedder.embed(['x'])).rejects.toThrow(
      /http:\/\/127\.0\.0\.1:9\/v1\/embeddings.*cannot reach the API/,
    );
  });
});
