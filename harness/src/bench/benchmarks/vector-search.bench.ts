/**
 * Vector sets on Redis 8 against exact brute force, at each index size in VECTOR_BENCH_SIZES (default 10000;
 * `npm run bench:vector-100k` adds 100000): ingest rate through the pattern's pipelined upsert, memory per vector
 * (MEMORY USAGE of the set, and the growth of INFO used_memory), query latency p50/p99 of `search()` (VSIM plus
 * the attribute round trip) and recall@5 and @10, with the default settings (EF chosen from the index size) and
 * for a sweep of fixed EF values: the measured table the automatic EF is calibrated from (vector/ef.ts).
 *
 * The anchor is exact brute force computed in this process in the same run: its answers define recall 1.0, and its
 * query time is the speed a plain scan gives. Data: random embedding-like vectors (a random 32-dimensional subspace
 * of 768 plus noise, see the suite). At the smallest size only, NOQUANT and BIN, i.i.d. Gaussian vectors (the worst
 * case, with no structure for HNSW to exploit) and, where the server has search and JSON, the FT.CREATE on JSON
 * backend are measured too.
 */
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import {
  ExactSearch,
  openVectorIndex,
  type Quantization,
  recallAtK,
  type VectorIndex,
} from '@redis-agent-kit/patterns/vector';
import { embeddingLikeVectors, isotropicVectors } from '../../suites/vector-search-data.ts';
import { targetConnection } from '../../targets/describe.ts';
import { type BenchRow, compare, defineBenchmark, percentile } from '../benchmark.ts';

const DIM = 768;
/** Fixed EF values measured at every size besides the default: the calibration sweep. */
const EF_SWEEP = [100, 150, 200, 300, 400, 800];

interface Dataset {
  label: string;
  items: { id: string; vector: Float32Array; attributes: { n: number } }[];
  queries: Float32Array[];
}

/** Items and queries drawn together, so queries come from the same distribution (the same subspace) as the data. */
function dataset(label: string, make: (count: number, seed: number) => Float32Array[], count: number, queries: number) {
  const vectors = make(count + queries, 101);
  return {
    label,
    items: vectors.slice(0, count).map((vector, n) => ({ id: `v${n}`, vector, attributes: { n } })),
    queries: vectors.slice(count),
  };
}

function latencyRows(subject: string, samples: number[]): [BenchRow, BenchRow] {
  const sorted = [...samples].sort((a, b) => a - b);
  return [
    { subject, metric: 'query p50', value: percentile(sorted, 50), unit: 'ms' },
    { subject, metric: 'query p99', value: percentile(sorted, 99), unit: 'ms' },
  ];
}

interface Anchor {
  truth: string[][];
  rows: BenchRow[];
  p50: BenchRow;
  p99: BenchRow;
  recall5: BenchRow;
  recall10: BenchRow;
}

/** Exact top 10 of every query by brute force, timed: the recall truth and the speed anchor. */
function bruteForce(data: Dataset): Anchor {
  const exact = new ExactSearch(data.items);
  const times: number[] = [];
  const truth = data.queries.map((query) => {
    const started = performance.now();
    const ids = exact.topK(query, 10);
    times.push(performance.now() - started);
    return ids;
  });
  const subject = `exact brute force, ${data.label}, ${data.items.length.toLocaleString('en')} (anchor)`;
  const [p50, p99] = latencyRows(subject, times);
  const recall5 = { subject, metric: 'recall@5', value: 1, unit: '' };
  const recall10 = { ...recall5, metric: 'recall@10' };
  return { truth, p50, p99, recall5, recall10, rows: [p50, p99, recall5, recall10] };
}

/** Bytes the server holds for the index: MEMORY USAGE of the key (every element counted), and used_memory. */
async function usedMemory(client: RedisClient): Promise<number> {
  const info = String(await client.info('memory'));
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

interface QueryConfig {
  subject: string;
  /** Undefined: the default, what search() picks. */
  ef: number | undefined;
  goal: { min: number } | undefined;
}

/**
 * Query latency and recall of `index` over the data's queries for each config. Every query is searched with every
 * config in a shuffled order (seeded: the same on every run), so the configs share the server's state and any
 * noise from other work evenly, and none always follows the same other one: their latencies compare like with like.
 */
async function queryRows(index: VectorIndex, data: Dataset, anchor: Anchor, configs: QueryConfig[]): Promise<BenchRow[]> {
  const results = configs.map(() => ({ times: [] as number[], recall5: 0, recall10: 0 }));
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (const [i, query] of data.queries.entries()) {
    const order = configs.map((_, c) => c);
    for (let j = order.length - 1; j > 0; j--) {
      const swap = Math.floor(random() * (j + 1));
      [order[j], order[swap]] = [order[swap] as number, order[j] as number];
    }
    for (const at of order) {
      const { ef } = configs[at] as QueryConfig;
      const result = results[at] as (typeof results)[number];
      const started = performance.now();
      const hits = await index.search(query, { k: 10, ...(ef !== undefined ? { ef } : {}) });
      result.times.push(performance.now() - started);
      const ids = hits.map((hit) => hit.id);
      result.recall5 += recallAtK(ids, anchor.truth[i] as string[], 5);
      result.recall10 += recallAtK(ids, anchor.truth[i] as string[], 10);
    }
  }
  const n = data.queries.length;
  return configs.flatMap(({ subject, goal }, c) => {
    const result = results[c] as (typeof results)[number];
    const [p50, p99] = latencyRows(subject, result.times);
    return [
      compare(p50, anchor.p50),
      compare(p99, anchor.p99),
      compare({ subject, metric: 'recall@5', value: result.recall5 / n, unit: '' }, anchor.recall5, goal),
      compare({ subject, metric: 'recall@10', value: result.recall10 / n, unit: '' }, anchor.recall10, goal),
    ];
  });
}

interface Run {
  name: string;
  data: Dataset;
  open(keyPrefix: string): VectorIndex;
  /** The EF sweep and memory rows: for the default vector set on embedding-like data. */
  calibrate?: boolean;
}

/** Ingest rate, memory, query latency and recall of one index against the anchor. */
async function measure(client: RedisClient, run: Run, anchor: Anchor, keyPrefix: string): Promise<BenchRow[]> {
  const { data } = run;
  const subject = `${run.name}, ${data.label}, ${data.items.length.toLocaleString('en')}`;
  const index = run.open(keyPrefix);
  await index.drop();
  await index.ensure();
  try {
    const memoryBefore = await usedMemory(client);
    const started = performance.now();
    await index.upsert(data.items, { batchSize: 200 });
    // FT indexes in the background: the ingest is done when every document is searchable.
    const deadline = performance.now() + 120_000;
    while ((await index.info()).count < data.items.length) {
      if (performance.now() > deadline) throw new Error(`${subject}: not every item was searchable after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const rows: BenchRow[] = [
      { subject, metric: 'ingest', value: data.items.length / ((performance.now() - started) / 1000), unit: 'vectors/s' },
    ];
    if (run.calibrate) {
      const key = String((await index.info()).details.key);
      const usage = Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const grown = (await usedMemory(client)) - memoryBefore;
      rows.push(
        { subject, metric: 'memory per vector (MEMORY USAGE)', value: usage / data.items.length, unit: 'B' },
        { subject, metric: 'memory per vector (used_memory growth)', value: grown / data.items.length, unit: 'B' },
      );
    }
    // The goal: recall@10 >= 0.95 with default settings on embedding-like data, for Q8 (the default) and NOQUANT.
    // BIN trades recall for speed and memory, i.i.d. data is the worst case, and FT's default EF_RUNTIME is 10:
    // those are reported without a goal.
    const goal = data.label === 'embedding-like' && /^vector set (Q8|NOQUANT)$/.test(run.name) ? { min: 0.95 } : undefined;
    const configs: QueryConfig[] = [
      { subject: `${subject}, default EF`, ef: undefined, goal },
      ...(run.calibrate ? EF_SWEEP : []).map((ef) => ({ subject: `${subject}, EF ${ef}`, ef, goal: undefined })),
    ];
    rows.push(...(await queryRows(index, data, anchor, configs)));
    return rows;
  } finally {
    await index.drop();
  }
}

/** VECTOR_BENCH_SIZES: comma-separated index sizes, default 10000. */
function benchSizes(env: NodeJS.ProcessEnv = process.env): number[] {
  const sizes = (env.VECTOR_BENCH_SIZES ?? '10000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) {
    throw new RangeError(`VECTOR_BENCH_SIZES must list integers >= 100, got "${env.VECTOR_BENCH_SIZES}"`);
  }
  return sizes;
}

export default defineBenchmark({
  id: 'vector-search',
  title: 'Vector set search vs exact brute force: ingest, memory, latency, recall@5/@10 by size, quantization and EF',
  async run({ target, scale, log }) {
    const sizes = benchSizes().map((size) => Math.max(1000, Math.round(size * scale)));
    const queryCount = Math.max(20, Math.round(200 * scale));
    const client = await connect(targetConnection(target));
    const rows: BenchRow[] = [];
    const notes = [
      `${sizes.join(', ')} vectors x ${DIM} dims, ${queryCount} queries, k = 10; recall is the share of the exact top k found; "default EF" is what search() picks for the index size`,
    ];
    try {
      const caps = target.capabilities;
      const open = (keyPrefix: string, backend: 'vector-set' | 'ft-json', quantization?: Quantization) =>
        openVectorIndex(client, {
          name: 'bench',
          keyPrefix,
          dim: DIM,
          backend,
          ...(quantization ? { quantization } : {}),
          capabilities: caps,
        });
      const vectorSet = (quantization: Quantization) => (prefix: string) => open(prefix, 'vector-set', quantization);
      for (const [s, count] of sizes.entries()) {
        const embeddingLike = dataset('embedding-like', (n, seed) => embeddingLikeVectors(n, DIM, seed), count, queryCount);
        const runs: Run[] = [{ name: 'vector set Q8', data: embeddingLike, open: vectorSet('Q8'), calibrate: true }];
        if (s === 0) {
          runs.push(
            { name: 'vector set NOQUANT', data: embeddingLike, open: vectorSet('NOQUANT') },
            { name: 'vector set BIN', data: embeddingLike, open: vectorSet('BIN') },
            {
              name: 'vector set Q8',
              data: dataset('i.i.d. Gaussian', (n, seed) => isotropicVectors(n, DIM, seed), count, queryCount),
              open: vectorSet('Q8'),
            },
          );
          if (caps.search && caps.json) {
            runs.push({ name: 'FT.CREATE on JSON, HNSW', data: embeddingLike, open: (prefix) => open(prefix, 'ft-json') });
          } else {
            notes.push('FT.CREATE on JSON not measured: this server has no search and JSON');
          }
        }
        const anchors = new Map<Dataset, Anchor>();
        for (const [i, run] of runs.entries()) {
          let anchor = anchors.get(run.data);
          if (!anchor) {
            log(`${run.data.label}, ${count} vectors: exact brute force for ${queryCount} queries`);
            anchor = bruteForce(run.data);
            anchors.set(run.data, anchor);
            rows.push(...anchor.rows);
          }
          log(`${run.name}, ${run.data.label}: ingesting ${count} vectors`);
          rows.push(...(await measure(client, run, anchor, `rak:bench:vector-search:${s}:${i}`)));
        }
      }
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
