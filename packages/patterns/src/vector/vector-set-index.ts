/**
 * A vector index in one Redis 8 vector set: `VADD` with the item's attributes as JSON (`SETATTR`), `VSIM` with
 * `WITHSCORES`, `COUNT`, `EF` and `FILTER` over those attributes. The whole index is one key, so on a cluster it
 * lives on one node (and every batch is one pipeline).
 *
 * With no EF given, each search picks one from the set's size and the recall target (ef.ts): the size is read with
 * `VCARD` once, then refreshed at most once a second by a `VCARD` riding along with a search's attribute round
 * trip, so it costs no extra round trip after the first search.
 *
 * The key has no TTL on purpose: it is the catalogue's search structure, rebuilt by ingest, and expiring it would
 * silently empty search results.
 */
import { type Command, command, withKeys } from '../cluster/batch.ts';
import type { RedisClient } from '../connection.ts';
import { fieldMap } from '../replies.ts';
import { sendAll, sendOne } from './commands.ts';
import { efForRecall } from './ef.ts';
import { VectorIndexMismatchError, VectorRemovalHeldError } from './errors.ts';
import { vectorSetFilter } from './filters.ts';
import { checkId, checkItem, keyPrefixOf, searchK } from './items.ts';
import {
  type Attributes,
  type Quantization,
  type SearchHit,
  type SearchOptions,
  type UpsertOptions,
  VECTOR_DEFAULTS,
  type VectorIndex,
  type VectorIndexInfo,
  type VectorIndexOptions,
  type VectorItem,
} from './types.ts';
import { checkVector, toFp32Blob } from './vectors.ts';
import { VADD_OR_DEFER, VREM_OR_DEFER } from './vrem-or-defer.ts';

/** The set's size for choosing EF is read again at most this often (a VCARD riding with a search). */
const SIZE_REFRESH_MS = 1000;

/** How `VINFO` names each quantization. */
const QUANT_TYPE: Record<Quantization, string> = { NOQUANT: 'f32', Q8: 'int8', BIN: 'bin' };

export class VectorSetIndex implements VectorIndex {
  readonly backend = 'vector-set' as const;
  readonly name: string;
  readonly dim: number;
  /** The vector set's key. */
  readonly key: string;
  readonly quantization: Quantization;
  private readonly client: RedisClient;
  private readonly options: VectorIndexOptions;
  /** The set's size as last read (VCARD), for choosing EF; undefined until the first search without one. */
  private size: number | undefined;
  /** When `size` was last read (performance.now()). */
  private sizeReadAt = Number.NEGATIVE_INFINITY;

  constructor(client: RedisClient, options: VectorIndexOptions) {
    this.client = client;
    this.options = options;
    this.name = options.name;
    this.dim = options.dim;
    this.quantization = options.quantization ?? VECTOR_DEFAULTS.quantization;
    this.key = `${keyPrefixOf(options)}:vset`;
  }

  /** A vector set exists from its first VADD; ensure() only checks that an existing one matches. */
  async ensure(): Promise<void> {
    const info = await this.vinfo();
    if (!info) return;
    const dim = Number(info.get('vector-dim'));
    const quant = String(info.get('quant-type'));
    const problems = [
      dim !== this.dim ? `dimension ${dim}, not ${this.dim}` : '',
      quant !== QUANT_TYPE[this.quantization] ? `quantization ${quant}, not ${QUANT_TYPE[this.quantization]}` : '',
      this.options.m !== undefined && Number(info.get('hnsw-m')) !== this.options.m
        ? `M ${info.get('hnsw-m')}, not ${this.options.m}`
        : '',
    ].filter(Boolean);
    if (problems.length) {
      throw new VectorIndexMismatchError(
        `Vector set ${this.key} already exists with ${problems.join(', ')}: drop it and ingest again, or open it with its settings`,
      );
    }
  }

  /**
   * Adds or replaces the items. Replacing is a removal inside the server, so it goes through `vrem_or_defer`: an
   * item whose element cannot be removed now keeps its old version, and the upsert throws saying which.
   */
  async upsert(items: readonly VectorItem[], options: UpsertOptions = {}): Promise<number> {
    const commands = items.map((item) => {
      const attributes = checkItem(item, this.dim, this.name);
      // SETATTR with an empty string clears attributes left by an earlier version of the item.
      const args = ['FP32', toFp32Blob(item.vector), item.id, this.quantization];
      if (this.options.efConstruction !== undefined) args.push('EF', String(this.options.efConstruction));
      args.push('SETATTR', attributes);
      if (this.options.m !== undefined) args.push('M', String(this.options.m));
      return withKeys('EVAL', [VADD_OR_DEFER.source, 1, this.key, item.id, ...args], [2]);
    });
    const replies = await sendAll(this.client, commands, options);
    const held = items.filter((_, i) => Number(replies[i]) === -1).map((item) => item.id);
    if (held.length > 0) throw new VectorRemovalHeldError('upserted', items.length - held.length, held);
    return items.length;
  }

  /** Removes the items; an item whose removal could crash the server stays, and the delete throws saying which. */
  async delete(ids: readonly string[]): Promise<number> {
    const replies = await sendAll(
      this.client,
      ids.map((id) => withKeys('EVAL', [VREM_OR_DEFER.source, 1, this.key, checkId(id, this.name)], [2])),
    );
    const removed = replies.reduce<number>((sum, reply) => sum + Math.max(0, Number(reply)), 0);
    const held = ids.filter((_, i) => Number(replies[i]) === -1);
    if (held.length > 0) throw new VectorRemovalHeldError('removed', removed, held);
    return removed;
  }

  async search(vector: ArrayLike<number>, options: SearchOptions = {}): Promise<SearchHit[]> {
    checkVector(vector, this.dim, 'Query vector', this.name);
    const ef = options.ef ?? this.options.efSearch ?? (await this.automaticEf(options));
    const reply = (await sendOne(
      this.client,
      vsimCommand(this.key, toFp32Blob(vector), { ...options, ef }),
    )) as string[];
    const hits = parseVsimReply(reply);
    if (hits.length === 0) return [];
    // Redis 8.0 has no VSIM WITHATTRIBS (8.2 adds it): the attributes come in one more pipelined round trip, as
    // bytes, so text that is not UTF-8 is reported rather than decoded lossily. VCARD rides along for the next EF.
    const refresh = performance.now() - this.sizeReadAt >= SIZE_REFRESH_MS;
    const replies = await sendAll(
      this.client,
      [...hits.map((hit) => command('VGETATTR', this.key, hit.id)), ...(refresh ? [command('VCARD', this.key)] : [])],
      { buffers: true },
    );
    if (refresh) this.noteSize(Number(replies[hits.length]));
    return hits.map((hit, i) => ({ ...hit, ...parseAttributes(replies[i]) }));
  }

  /** The EF for this search's recall target at the set's size (read once, then kept fresh by search). */
  private async automaticEf(options: SearchOptions): Promise<number> {
    const size = this.size ?? this.noteSize(Number(await sendOne(this.client, command('VCARD', this.key))));
    const recall = options.recall ?? this.options.recall ?? VECTOR_DEFAULTS.recall;
    return efForRecall(size, recall, searchK(options));
  }

  private noteSize(size: number): number {
    this.size = size;
    this.sizeReadAt = performance.now();
    return size;
  }

  async info(): Promise<VectorIndexInfo> {
    const info = await this.vinfo();
    const details: Record<string, string | number> = { key: this.key };
    for (const [field, value] of info ?? []) details[field] = typeof value === 'number' ? value : String(value);
    return {
      backend: this.backend,
      name: this.name,
      dim: info ? Number(info.get('vector-dim')) : this.dim,
      count: info ? Number(info.get('size')) : 0,
      details,
    };
  }

  keysOf(): string[] {
    return [this.key];
  }

  async drop(): Promise<void> {
    await sendOne(this.client, command('UNLINK', this.key));
  }

  private async vinfo(): Promise<Map<string, unknown> | undefined> {
    const reply = await sendOne(this.client, command('VINFO', this.key));
    return reply === null ? undefined : fieldMap(reply);
  }
}

/** `VSIM key FP32 <blob> WITHSCORES COUNT k [EF ef] [FILTER expr]`. */
export function vsimCommand(key: string, blob: Buffer, options: SearchOptions): Command {
  const args: (string | Buffer)[] = ['FP32', blob, 'WITHSCORES', 'COUNT', String(searchK(options))];
  if (options.ef !== undefined) {
    if (!Number.isInteger(options.ef) || options.ef < 1)
      throw new RangeError(`ef must be a positive integer, got ${options.ef}`);
    args.push('EF', String(options.ef));
  }
  const filter = vectorSetFilter(options.filter);
  if (filter) args.push('FILTER', filter);
  return command('VSIM', key, ...args);
}

/** `[element, score, element, score, …]`: the score is already (1 + cos) / 2. */
export function parseVsimReply(reply: readonly string[]): Omit<SearchHit, 'attributes'>[] {
  const hits: Omit<SearchHit, 'attributes'>[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) hits.push({ id: String(reply[i]), score: Number(reply[i + 1]) });
  return hits;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A hit's attributes from `VGETATTR`. Anything but a JSON object (text written by another client with `VSETATTR`,
 * bytes that are not UTF-8) never fails the search: the hit comes back with no attributes and `attributeProblem`
 * saying what was found.
 */
export function parseAttributes(reply: unknown): Pick<SearchHit, 'attributes' | 'attributeProblem'> {
  if (reply === null || reply === undefined) return { attributes: {} };
  const bytes = Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply));
  if (bytes.length === 0) return { attributes: {} };
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { attributes: {}, attributeProblem: `attributes are not UTF-8 (${bytes.length} bytes)` };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return { attributes: parsed as Attributes };
  } catch {
    // Reported below.
  }
  const excerpt = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return { attributes: {}, attributeProblem: `attributes are not a JSON object: ${JSON.stringify(excerpt)}` };
}
