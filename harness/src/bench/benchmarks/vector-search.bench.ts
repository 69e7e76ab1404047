/**
 * Vector sets on Redis 8 against exact brute force, at each index size in VECTOR_BENCH_SIZES (default 10000;
 * `npm run bench:vector-100k` runs 10000, 30000 and 100000): ingest rate through the pattern's pipelined upsert,
 * memory per vector (MEMORY USAGE of the set, and the growth of INFO used_memory), query latency p50/p99 of
 * `search()` (VSIM plus the attribute round trip) and recall@5 and @10, with the default settings (EF chosen from
 * the index size, vector/ef.ts) and for a sweep of fixed EF values: the measured table that choice is calibrated
 * from. The anchor is exact brute force computed in this process in the same run: its answers define recall 1.0,
 * and its query time is the speed a plain scan gives.
 *
 * Data: random embedding-like vectors (a random 32-dimensional subspace of 768 plus noise, see the suite). At the
 * smallest size only, NOQUANT and BIN, i.i.d. Gaussian vectors (the worst case, with no structure for HNSW to
 * exploit) and, where the server has search and JSON, the FT.CREATE on JSON backend are measured too.
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
import {
  alternatingRounds,
  type BenchRow,
  compare,
  defineBenchmark,
  measured,
  percentile,
  ROUNDS,
} from '../benchmark.ts';
import { timesOf } from './vector-pattern-support.ts';

const DIM = 768;
/** Fixed EF values measured beside the default on the default vector set: the calibration sweep. */
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
    label: `${label}, ${count.toLocaleString('en')}`,
    items: vectors.slice(0, count).map((vector, n) => ({ id: `v${n}`, vector, attributes: { n } })),
    queries: vectors.slice(count),
  };
}

interface Run {
  name: string;
  data: Dataset;
  open(keyPrefix: string): VectorIndex;
  /** The EF sweep and memory rows: for the default vector set (Q8) on embedding-like data. */
  calibrate?: boolean;
}

interface Anchor {
  exact: ExactSearch;
  truth: string[][];
  rows: BenchRow[];
  recall5: BenchRow;
  recall10: BenchRow;
}

/** Exact top 10 of every query by brute force: the recall truth (timed per run, in rounds, by `measure`). */
function bruteForce(data: Dataset): Anchor {
  const exact = new ExactSearch(data.items);
  const truth = data.queries.map((query) => exact.topK(query, 10));
  const subject = `exact brute force, ${data.label} (anchor)`;
  const recall5 = { subject, metric: 'recall@5', value: 1, unit: '' };
  const recall10 = { ...recall5, metric: 'recall@10' };
  return { exact, truth, recall5, recall10, rows: [recall5, recall10] };
}

async function usedMemory(client: RedisClient): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(String(await client.info('memory')))?.[1] ?? Number.NaN);
}

const p50Of = (times: number[]) =>
  percentile(
    [...times].sort((x, y) => x - y),
    50,
  );

/** One searched configuration: the default (`ef` undefined: what search() picks) or a fixed EF. */
interface Config {
  subject: string;
  ef: number | undefined;
  times: number[];
  recall5: number;
  recall10: number;
}

/**
 * Ingest rate, memory, query latency and recall of one index against the anchor. The queries are split into one
 * chunk per round; each round times brute force and every configuration (default EF, and the EF sweep) on the
 * same chunk, the order reversed every other round, the first round discarded: each p50 ratio is the median of the
 * per-round ratios.
 */
async function measure(
  client: RedisClient,
  run: Run,
  anchor: Anchor,
  keyPrefix: string,
  log: (line: string) => void,
): Promise<BenchRow[]> {
  const { data } = run;
  const subject = `${run.name}, ${data.label}`;
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
      {
        subject,
        metric: 'ingest',
        value: data.items.length / ((performance.now() - started) / 1000),
        unit: 'vectors/s',
      },
    ];
    if (run.calibrate) {
      const key = String((await index.info()).details.key);
      const usage = Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const grown = (await usedMemory(client)) - memoryBefore;
      rows.push(
        { subject, metric: 'memory per vector (MEMORY USAGE)', value: usage / data.items.length, unit: 'bytes' },
        { subject, metric: 'memory per vector (used_memory growth)', value: grown / data.items.length, unit: 'bytes' },
      );
    }

    const chunks = ROUNDS.warmup + ROUNDS.measured;
    const size = Math.ceil(data.queries.length / chunks);
    const chunk = (i: number) => data.queries.slice(i * size, (i + 1) * size);
    const configs: Config[] = [undefined, ...(run.calibrate ? EF_SWEEP : [])].map((ef) => ({
      subject: `${subject}, ${ef === undefined ? 'default EF' : `EF ${ef}`}`,
      ef,
      times: [],
      recall5: 0,
      recall10: 0,
    }));
    const anchorTimes: number[] = [];
    const positions = new Map<string, number>();
    const nextRound = (name: string) => {
      const round = positions.get(name) ?? 0;
      positions.set(name, round + 1);
      return round;
    };
    const subjects: Record<string, () => Promise<number>> = {
      anchor: async () => {
        const round = nextRound('anchor');
        const t = await timesOf(chunk(round), (query) => anchor.exact.topK(query, 10));
        if (round >= ROUNDS.warmup) anchorTimes.push(...t);
        return p50Of(t);
      },
    };
    for (const config of configs) {
      subjects[config.subject] = async () => {
        const round = nextRound(config.subject);
        const queries = chunk(round);
        const t = await timesOf([...queries.keys()], async (j) => {
          const options = { k: 10, ...(config.ef !== undefined ? { ef: config.ef } : {}) };
          const ids = (await index.search(queries[j] as Float32Array, options)).map((hit) => hit.id);
          const truth = anchor.truth[round * size + j] as string[];
          config.recall5 += recallAtK(ids, truth, 5);
          config.recall10 += recallAtK(ids, truth, 10);
        });
        if (round >= ROUNDS.warmup) config.times.push(...t);
        return p50Of(t);
      };
    }
    const rounds = await alternatingRounds(subjects, { log: (line) => log(`${subject}: queries ${line}`) });

    // The goal: recall@10 >= 0.95 with default settings on embedding-like data, for Q8 (the default) and NOQUANT.
    // BIN trades recall for speed and memory, i.i.d. data is the worst case, and FT's default EF_RUNTIME is 10:
    // those are reported without a goal.
    const goal =
      /^embedding-like/.test(data.label) && /^vector set (Q8|NOQUANT)$/.test(run.name) ? { min: 0.95 } : undefined;
    const n = data.queries.length;
    const anchorSubject = `exact brute force, ${data.label} (anchor, timed beside ${run.name})`;
    const anchorP50 = measured(anchorSubject, 'query p50', 'ms', rounds.anchor as number[]);
    const p99 = (who: string, all: number[]): BenchRow => ({
      subject: who,
      metric: 'query p99 (all measured rounds)',
      value: percentile(
        [...all].sort((x, y) => x - y),
        99,
      ),
      unit: 'ms',
    });
    rows.push(anchorP50, p99(anchorSubject, anchorTimes));
    for (const config of configs) {
      rows.push(
        compare(measured(config.subject, 'query p50', 'ms', rounds[config.subject] as number[]), anchorP50),
        p99(config.subject, config.times),
        compare(
          { subject: config.subject, metric: 'recall@5', value: config.recall5 / n, unit: '' },
          anchor.recall5,
          config.ef === undefined ? goal : undefined,
        ),
        compare(
          { subject: config.subject, metric: 'recall@10', value: config.recall10 / n, unit: '' },
          anchor.recall10,
          config.ef === undefined ? goal : undefined,
        ),
      );
    }
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
      `${sizes.join(', ')} vectors x ${DIM} dims, ${queryCount} queries, k = 10; recall is the share of the exact top k found; "default EF" is what search() picks for the index size and a recall target of 0.95`,
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
        const embeddingLike = dataset(
          'embedding-like',
          (n, seed) => embeddingLikeVectors(n, DIM, seed),
          count,
          queryCount,
        );
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
            runs.push({
              name: 'FT.CREATE on JSON, HNSW, EF_RUNTIME 10 (server default)',
              data: embeddingLike,
              open: (prefix) => open(prefix, 'ft-json'),
            });
          } else {
            notes.push('FT.CREATE on JSON not measured: this server has no search and JSON');
          }
        }
        const anchors = new Map<Dataset, Anchor>();
        for (const [i, run] of runs.entries()) {
          let anchor = anchors.get(run.data);
          if (!anchor) {
            log(`${run.data.label}: exact brute force for ${queryCount} queries`);
            anchor = bruteForce(run.data);
            anchors.set(run.data, anchor);
            rows.push(...anchor.rows);
          }
          log(`${run.name}, ${run.data.label}: ingesting`);
          rows.push(...(await measure(client, run, anchor, `rak:bench:vector-search:${s}:${i}`, log)));
        }
      }
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
