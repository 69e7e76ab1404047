/**
 * What the semantic-cache and agent-memory benchmarks share: their size (SEMANTIC_BENCH_SIZE), an embedder that
 * answers registered texts with given vectors (so a measured call costs the pattern and Redis, not a model), a
 * bounded seeding loop, per-call timing in rounds, server time per command, and finding the one vector set a pattern
 * made.
 */
import { closeClient, parseInfo, type RedisClient } from '@redis-agent-kit/patterns';
import { masters } from '@redis-agent-kit/patterns/cluster';
import type { Embedder } from '@redis-agent-kit/patterns/vector';
import { percentile, ROUNDS } from '../benchmark.ts';

/**
 * SEMANTIC_BENCH_SIZE: cached prompts (semantic-cache) and memories in one user scope (agent-memory). Default 10000;
 * `npm run bench:semantic-100k` sets 100000. Scaled by BENCH_SCALE, at least 1000.
 */
export function benchSize(scale: number, env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env.SEMANTIC_BENCH_SIZE ?? 10_000);
  if (!Number.isInteger(size) || size < 1000) {
    throw new RangeError(`SEMANTIC_BENCH_SIZE must be an integer >= 1000, got "${env.SEMANTIC_BENCH_SIZE}"`);
  }
  return Math.max(1000, Math.round(size * scale));
}

/**
 * An embedder over a table of texts and vectors the benchmark fills: `embed` of a text it was not given is an
 * error, never a made-up vector. Texts are added before the calls that embed them and removed after, so the table
 * holds one seeding batch at a time.
 */
export class TableEmbedder implements Embedder {
  readonly model = 'benchmark table (precomputed vectors)';
  readonly dim: number;
  readonly #vectors = new Map<string, Float32Array>();
  constructor(dim: number) {
    this.dim = dim;
  }

  set(text: string, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new RangeError(`${text}: ${vector.length} dimensions, not ${this.dim}`);
    this.#vectors.set(text, vector);
  }

  delete(text: string): void {
    this.#vectors.delete(text);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => {
      const vector = this.#vectors.get(text);
      if (!vector) throw new Error(`the benchmark embedder has no vector for ${JSON.stringify(text)}`);
      return vector;
    });
  }
}

/** Seeding batch: vectors made and held at once. */
export const SEED_BATCH = 1000;
/** Seeding calls in flight at once (each a few commands): pipelined on the one connection, and bounded. */
export const SEED_IN_FLIGHT = 64;

/** What seeding measured beside its own rate. */
export interface Seeded {
  /** Writes per second. */
  perSecond: number;
  /** Microseconds the server's main thread ran commands, per write (see `mainThreadUsec`). */
  mainUsecPerWrite: number;
  /** PING round trips from another connection meanwhile (see `pingProbe`). */
  pings: string;
  /** Server time per call of `commands` while seeding (see `serverTime`). */
  serverTime: string;
}

/**
 * Runs `write(i)` for i in [0, count): batch by batch (`prepare` makes a batch's inputs first, `release` drops
 * them after), at most SEED_IN_FLIGHT calls at once within a batch. Logs progress every tenth of the way. Meanwhile
 * it measures what the writes cost the server: main-thread time per write, a PING probe on a connection of its own
 * (`connectProbe`), and the server time of `commands`.
 */
export async function seed(
  client: RedisClient,
  connectProbe: () => Promise<RedisClient>,
  count: number,
  steps: {
    prepare(from: number, to: number): void;
    write(i: number): Promise<unknown>;
    release(from: number, to: number): void;
  },
  commands: string[],
  log: (line: string) => void,
): Promise<Seeded> {
  const statsBefore = await commandStats(client);
  const mainBefore = await mainThreadUsec(client);
  const prober = await connectProbe();
  const probe = pingProbe(prober);
  let pings: string;
  let seconds: number;
  const started = performance.now();
  try {
    let nextLog = count / 10;
    for (let from = 0; from < count; from += SEED_BATCH) {
      const to = Math.min(count, from + SEED_BATCH);
      steps.prepare(from, to);
      let next = from;
      await Promise.all(
        Array.from({ length: Math.min(SEED_IN_FLIGHT, to - from) }, async () => {
          while (next < to) await steps.write(next++);
        }),
      );
      steps.release(from, to);
      if (to >= nextLog || to === count) {
        log(`seeded ${to.toLocaleString('en')}/${count.toLocaleString('en')}`);
        nextLog += count / 10;
      }
    }
    seconds = (performance.now() - started) / 1000;
  } finally {
    pings = await probe.stop();
    await closeClient(prober);
  }
  return {
    perSecond: count / seconds,
    mainUsecPerWrite: Math.round(((await mainThreadUsec(client)) - mainBefore) / count),
    pings,
    serverTime: serverTime(statsBefore, await commandStats(client), commands),
  };
}

/** Milliseconds each call of `run` took, one item after another. */
export async function timesOf<T>(items: readonly T[], run: (item: T) => unknown): Promise<number[]> {
  const times: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await run(item);
    times.push(performance.now() - started);
  }
  return times;
}

export const sortedPercentile = (times: readonly number[], p: number): number =>
  percentile(
    [...times].sort((x, y) => x - y),
    p,
  );

/** The one key matching `pattern` on any master (SCAN); an error when there is not exactly one. */
export async function onlyKey(client: RedisClient, pattern: string): Promise<string> {
  const found: string[] = [];
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, keys] = (await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)) as [string, string[]];
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0' && found.length < 2);
  }
  if (found.length !== 1) throw new Error(`expected one key matching ${pattern}, found ${found.length}`);
  return found[0] as string;
}

/** Calls and server microseconds of each command so far (INFO commandstats), by lower-case name. */
export async function commandStats(client: RedisClient): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = parseInfo(String(await client.info('commandstats')));
  const out = new Map<string, { calls: number; usec: number }>();
  for (const [field, value] of Object.entries(stats)) {
    if (!field.startsWith('cmdstat_')) continue;
    const calls = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
    const usec = Number(/usec=(\d+)/.exec(value)?.[1] ?? 0);
    // Module commands (vector sets' VSIM, VADD) are listed in upper case, built-in ones in lower case.
    out.set(field.slice('cmdstat_'.length).toLowerCase(), { calls, usec });
  }
  return out;
}

/**
 * `EVALSHA 3,900 µs × 100,000`: the server time per call of these commands between two commandstats snapshots (the
 * server's own figure: other load on the machine disturbs it much less than a latency measured from the client).
 */
export function serverTime(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  commands: string[],
): string {
  return commands
    .map((command) => {
      const calls = (after.get(command)?.calls ?? 0) - (before.get(command)?.calls ?? 0);
      const usec = (after.get(command)?.usec ?? 0) - (before.get(command)?.usec ?? 0);
      return calls > 0
        ? `${command.toUpperCase()} ${Math.round(usec / calls).toLocaleString('en')} µs × ${calls.toLocaleString('en')}`
        : `${command.toUpperCase()} not called`;
    })
    .join(', ');
}

/**
 * Timed rounds for `alternatingRounds`: each subject's function times its calls and returns their p50; the p99 of
 * every measured round is kept too, so p99 ratios are paired by round like p50 ones (a burst of other load on the
 * machine then spoils one round's ratio, not the figure).
 */
export function timedRounds<K extends string>(
  subjects: Record<K, { items: readonly string[]; run: (item: string) => Promise<unknown> }>,
): { fns: Record<K, () => Promise<number>>; p99: Record<K, number[]> } {
  const names = Object.keys(subjects) as K[];
  const p99 = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const done = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  const fns = Object.fromEntries(
    names.map((n) => [
      n,
      async () => {
        const times = await timesOf(subjects[n].items, subjects[n].run);
        if (done[n]++ >= ROUNDS.warmup) p99[n].push(sortedPercentile(times, 99));
        return sortedPercentile(times, 50);
      },
    ]),
  ) as Record<K, () => Promise<number>>;
  return { fns, p99 };
}

/**
 * PINGs one after another from a connection of its own until stopped: what a client that is not writing waits while
 * the writes run (a write that holds the main thread, such as a script running VADD, delays every one of them).
 * `stop()` ends the probe and describes the round trips: p50, p99 and the longest.
 */
function pingProbe(client: RedisClient): { stop(): Promise<string> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await client.ping();
      times.push(performance.now() - started);
      // Paced, so the probe itself does not compete with the writes for the machine's cores.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      if (times.length === 0) return 'no PING answered';
      const ms = (x: number) => `${x.toFixed(2)} ms`;
      return `PING from another connection meanwhile: p50 ${ms(sortedPercentile(times, 50))}, p99 ${ms(sortedPercentile(times, 99))}, max ${ms(times.reduce((a, b) => Math.max(a, b), 0))} (${times.length.toLocaleString('en')} pings)`;
    },
  };
}

/**
 * Microseconds the server's main thread spent executing commands so far (INFO stats `eventloop_duration_cmd_sum`,
 * Redis 7.2+): unlike commandstats, it leaves out work a command hands to a background thread (VADD … CAS's
 * neighbour search), so its growth per write is what a write holds the server. Server-wide: other clients count too.
 */
async function mainThreadUsec(client: RedisClient): Promise<number> {
  return Number(parseInfo(String(await client.info('stats'))).eventloop_duration_cmd_sum ?? Number.NaN);
}
