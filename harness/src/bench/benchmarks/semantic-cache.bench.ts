/**
 * The semantic cache on Redis 8 vector sets, two measures in one run:
 *
 * - Latency: `check` p50/p99 with SEMANTIC_BENCH_SIZE cached prompts in one scope (default 10,000;
 *   `npm run bench:semantic-100k` runs 100,000), 768 dimensions, Q8, beside a bare `VSIM … WITHSCORES COUNT 3` (the
 *   command `check` sends, the anchor) of the same vector set with the same query vectors, in alternating rounds.
 *   Goal: at most 1.2× the anchor, p50 and p99 (each round's, paired by round: the median ratio and its spread).
 *   INFO commandstats gives the server's own time per command beside it. Hit queries are
 *   stored vectors plus a little noise (a hit costs VSIM and an MGET of the candidates' answers); miss queries are
 *   fresh vectors of the same distribution (VSIM only). The embedder is a table of those precomputed vectors, so the
 *   figures are the cache's and Redis's, not a model's; the prompts are embedding-like random vectors, as in the
 *   vector-search benchmark, seeded through `store()` batch by batch, 64 in flight.
 * - Hit precision on the labelled pairs the llm-gateway example ships (data/calibration-set.json): the threshold is
 *   the one calibration picks (the lowest with precision >= 0.95, as `npm run calibrate`), then each pair's first
 *   prompt is stored in a scope of its own and its second checked, so every hit is right or wrong by the label.
 *   The anchor is the precision calibration predicted (full-precision cosine in this process); the cache scores Q8
 *   vectors in Redis. For the local hashing embedder always, and for the HTTP embedder when EMBEDDINGS_URL is set
 *   (reported, no goal: the local embedder matches spelling, not meaning).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import {
  createSemanticCache,
  type LabelledPair,
  pickThreshold,
  precisionRecall,
  SEMANTIC_CACHE_DEFAULTS,
  scorePairs,
} from '@redis-agent-kit/patterns/semantic-cache';
import { createHashingEmbedder, type Embedder, embedderFromEnv, toFp32Blob } from '@redis-agent-kit/patterns/vector';
import { EXAMPLES_DIR } from '../../discover.ts';
import { removeKeys } from '../../matrix/shared-server.ts';
import { embeddingLikeSource, isotropicVectors } from '../../suites/vector-search-data.ts';
import { targetConnection } from '../../targets/describe.ts';
import type { TargetInfo } from '../../targets/types.ts';
import { alternatingRounds, type BenchRow, compare, defineBenchmark, measured } from '../benchmark.ts';
import {
  benchSize,
  commandStats,
  onlyKey,
  SEED_BATCH,
  SEED_IN_FLIGHT,
  seed,
  serverTime,
  TableEmbedder,
  timedRounds,
} from './vector-pattern-support.ts';

const DIM = 768;
const PREFIX = 'rak:bench:semantic-cache';
const GOAL = { max: 1.2 };
/** As `npm run calibrate` in examples/llm-gateway: thresholds 0.80 to 1.00 and the precision to reach. */
const THRESHOLDS = Array.from({ length: 21 }, (_, i) => Math.round((0.8 + i * 0.01) * 100) / 100);
const MIN_PRECISION = 0.95;
const SEED_NOTE = `batches of ${SEED_BATCH.toLocaleString('en')}, ${SEED_IN_FLIGHT} in flight`;
const CALIBRATION_SET = join(EXAMPLES_DIR, 'llm-gateway', 'data', 'calibration-set.json');

async function latency(
  client: RedisClient,
  target: TargetInfo,
  size: number,
  queries: number,
  log: (line: string) => void,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const embedder = new TableEmbedder(DIM);
  const cache = createSemanticCache(client, {
    embedder,
    scopeFields: ['tenant'],
    prefix: `${PREFIX}:latency`,
    capabilities: target.capabilities,
  });
  const scope = { tenant: 'bench' };
  const source = embeddingLikeSource(DIM, 2101);
  const stride = Math.floor(size / queries);
  const sampled: Float32Array[] = [];
  const seeded = await seed(
    client,
    () => connect(targetConnection(target)),
    size,
    {
      prepare(from, to) {
        for (let i = from; i < to; i++) {
          const vector = source();
          embedder.set(`p${i}`, vector);
          if (i % stride === 0 && sampled.length < queries) sampled.push(vector);
        }
      },
      write: (i) => cache.store(`p${i}`, `answer ${i}`, { scope }),
      release(from, to) {
        for (let i = from; i < to; i++) embedder.delete(`p${i}`);
      },
    },
    ['evalsha', 'vadd', 'pexpire', 'vsim', 'zrange', 'hset'],
    log,
  );
  const stored = await cache.size({ scope });
  if (stored !== size) throw new Error(`the scope holds ${stored} prompts after seeding ${size}`);
  const vset = await onlyKey(client, `${PREFIX}:latency:*:vset`);

  // Hit queries: stored vectors plus noise of about a tenth of their length (similarity about 0.997).
  const noise = isotropicVectors(queries, DIM, 2102);
  const hitQueries = sampled.map((vector, j) => {
    const text = `hit${j}`;
    embedder.set(
      text,
      vector.map((x, d) => x + 0.1 * (noise[j]?.[d] as number)),
    );
    return text;
  });
  const missQueries = Array.from({ length: queries }, (_, j) => {
    const text = `miss${j}`;
    embedder.set(text, source());
    return text;
  });
  const vectorOf = async (text: string) => (await embedder.embed([text]))[0] as Float32Array;
  const vsim = async (text: string) =>
    client.call(
      'VSIM',
      vset,
      'FP32',
      toFp32Blob(await vectorOf(text)),
      'WITHSCORES',
      'COUNT',
      String(SEMANTIC_CACHE_DEFAULTS.candidates),
    );
  const outcomes = { hit: { hits: 0, calls: 0 }, miss: { hits: 0, calls: 0 } };
  const check = (kind: 'hit' | 'miss') => async (text: string) => {
    const result = await cache.check(text, { scope });
    outcomes[kind].calls++;
    if (result.hit) outcomes[kind].hits++;
  };

  const label = `${size.toLocaleString('en')} prompts`;
  const names = {
    anchorHit: `bare VSIM COUNT 3, hit queries, ${label} (anchor)`,
    checkHit: `check, hit (VSIM + MGET of the answers), ${label}`,
    anchorMiss: `bare VSIM COUNT 3, miss queries, ${label} (anchor)`,
    checkMiss: `check, miss (VSIM), ${label}`,
  };
  const { fns, p99 } = timedRounds({
    anchorHit: { items: hitQueries, run: vsim },
    checkHit: { items: hitQueries, run: check('hit') },
    anchorMiss: { items: missQueries, run: vsim },
    checkMiss: { items: missQueries, run: check('miss') },
  });
  const beforeRounds = await commandStats(client);
  const rounds = await alternatingRounds(fns, { log: (line) => log(`check vs VSIM: ${line}`) });
  const inRounds = serverTime(beforeRounds, await commandStats(client), ['vsim', 'mget', 'evalsha']);
  const hitRate = outcomes.hit.hits / outcomes.hit.calls;
  if (hitRate < 0.9) throw new Error(`only ${(100 * hitRate).toFixed(1)}% of the hit queries hit: not a hit latency`);

  const rows: BenchRow[] = [
    { subject: `store() while seeding, ${SEED_NOTE}`, metric: 'stores', value: seeded.perSecond, unit: 'stores/s' },
  ];
  for (const kind of ['Hit', 'Miss'] as const) {
    const anchor = `anchor${kind}` as const;
    const subject = `check${kind}` as const;
    const anchorP50 = measured(names[anchor], 'p50', 'ms', rounds[anchor]);
    const anchorP99 = measured(names[anchor], `p99 (of each round's ${queries} calls)`, 'ms', p99[anchor]);
    rows.push(
      anchorP50,
      compare(measured(names[subject], 'p50', 'ms', rounds[subject]), anchorP50, GOAL),
      anchorP99,
      compare(measured(names[subject], anchorP99.metric, 'ms', p99[subject]), anchorP99, GOAL),
    );
  }
  const pct = (x: { hits: number; calls: number }) => `${((100 * x.hits) / x.calls).toFixed(1)}%`;
  return {
    rows,
    notes: [
      `${label} x ${DIM} dims, Q8, one scope; ${queries} hit and ${queries} miss queries a round; the embedder is a table of precomputed vectors (no model in the timing)`,
      `hit queries that hit: ${pct(outcomes.hit)}; miss queries that hit: ${pct(outcomes.miss)} (threshold ${cache.threshold})`,
      `while seeding: the main thread ran commands ${seeded.mainUsecPerWrite} µs per store() (INFO stats eventloop_duration_cmd_sum); ${seeded.pings}`,
      `server time per call (INFO commandstats; VADD … CAS counts its background neighbour search too) while seeding: ${seeded.serverTime}; during the rounds: ${inRounds}`,
    ],
  };
}

function readPairs(): LabelledPair[] {
  return (JSON.parse(readFileSync(CALIBRATION_SET, 'utf8')) as { pairs: LabelledPair[] }).pairs;
}

/** Calibration's pick on the labelled set, then the hits the cache gives at it, for one embedder. */
async function precision(
  client: RedisClient,
  target: TargetInfo,
  name: string,
  embedder: Embedder,
  keyPart: string,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const pairs = readPairs();
  const table = precisionRecall(await scorePairs(embedder, pairs), THRESHOLDS);
  const picked = pickThreshold(table, MIN_PRECISION);
  if (!picked) {
    return {
      rows: [],
      notes: [`${name}: no threshold in 0.80..1.00 reaches precision ${MIN_PRECISION} on the labelled set`],
    };
  }
  const cache = createSemanticCache(client, {
    embedder,
    scopeFields: ['pair'],
    threshold: picked.threshold,
    prefix: `${PREFIX}:precision:${keyPart}`,
    capabilities: target.capabilities,
  });
  let right = 0;
  let wrong = 0;
  let missed = 0;
  for (const [i, pair] of pairs.entries()) {
    const scope = { pair: String(i) };
    await cache.store(pair.a, `answer ${i}`, { scope });
    const result = await cache.check(pair.b, { scope });
    if (result.hit && pair.same) right++;
    else if (result.hit) wrong++;
    else if (pair.same) missed++;
  }
  const threshold = picked.threshold.toFixed(2);
  const predicted = `${name}: calibration at ${threshold} (in process, full precision; anchor)`;
  const onRedis = `${name}: cache check at ${threshold} (Redis, Q8)`;
  const anchorPrecision: BenchRow = {
    subject: predicted,
    metric: 'hit precision',
    value: picked.precision as number,
    unit: '',
  };
  const anchorRecall: BenchRow = { subject: predicted, metric: 'hit recall', value: picked.recall ?? NaN, unit: '' };
  return {
    rows: [
      anchorPrecision,
      compare(
        { subject: onRedis, metric: 'hit precision', value: right + wrong ? right / (right + wrong) : NaN, unit: '' },
        anchorPrecision,
      ),
      anchorRecall,
      compare({ subject: onRedis, metric: 'hit recall', value: right / (right + missed), unit: '' }, anchorRecall),
    ],
    notes: [
      `${name} (${embedder.model}, ${embedder.dim} dims): calibration picked ${threshold}, the lowest threshold with precision >= ${MIN_PRECISION} on ${pairs.length} labelled pairs (${pairs.filter((p) => p.same).length} with the same answer); through the cache ${right} right hits, ${wrong} wrong hits, ${missed} missed`,
    ],
  };
}

export default defineBenchmark({
  id: 'semantic-cache',
  title: 'Semantic cache: check vs bare VSIM (768-d, Q8), and hit precision at the calibrated threshold',
  async run({ target, scale, log }) {
    const size = benchSize(scale);
    const queries = Math.max(50, Math.round(200 * scale));
    const client = await connect(targetConnection(target));
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    const collect = (part: { rows: BenchRow[]; notes: string[] }) => {
      rows.push(...part.rows);
      notes.push(...part.notes);
    };
    try {
      // A run that was stopped midway left its keys: they go first, so the scope holds exactly this run's prompts.
      await removeKeys(client, [`${PREFIX}:*`]);
      log(`seeding ${size.toLocaleString('en')} prompts (${SEED_NOTE})`);
      collect(await latency(client, target, size, queries, log));
      collect(await precision(client, target, 'local hashing embedder', createHashingEmbedder({ dim: DIM }), 'local'));
      if (process.env.EMBEDDINGS_URL) {
        try {
          collect(await precision(client, target, 'HTTP embedder', embedderFromEnv(process.env), 'http'));
        } catch (error) {
          notes.push(
            `HTTP embedder (EMBEDDINGS_URL) failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      } else {
        notes.push('HTTP embedder not measured: EMBEDDINGS_URL is not set');
      }
      return { rows, notes };
    } finally {
      await removeKeys(client, [`${PREFIX}:*`]);
      await closeClient(client);
    }
  },
});
