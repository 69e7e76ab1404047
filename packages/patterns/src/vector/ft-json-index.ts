/**
 * A vector index as RediSearch over JSON documents: each item is a document `{ ...attributes, embedding: [...] }`
 * at `<prefix>:doc:<id>`, indexed by
 *
 *   FT.CREATE <prefix>:idx ON JSON PREFIX 1 <prefix>:doc: SCHEMA
 *     $.embedding AS embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 768 DISTANCE_METRIC COSINE
 *     $.category AS category TAG  $.name AS name TEXT  $.price AS price NUMERIC …
 *
 * and queried with `(<filter>)=>[KNN k @embedding $vec AS __distance]`, DIALECT 2. This is the production path
 * where the server has search and JSON (redis:8.6-alpine); the command building and reply parsing are unit-tested
 * on recorded replies. Documents have no TTL: they are the catalogue's index, rebuilt by ingest.
 */
import { type Command, command, keyless } from '../cluster/batch.ts';
import type { RedisClient } from '../connection.ts';
import { fieldMap } from '../replies.ts';
import { sendAll, sendOne } from './commands.ts';
import { VectorIndexMismatchError } from './errors.ts';
import { checkFieldName } from './filter-values.ts';
import { ftFilterQuery } from './filters.ts';
import { checkId, checkItem, keyPrefixOf, searchK } from './items.ts';
import type {
  Attributes,
  FieldKind,
  SearchHit,
  SearchOptions,
  UpsertOptions,
  VectorIndex,
  VectorIndexInfo,
  VectorIndexOptions,
  VectorItem,
} from './types.ts';
import { checkVector, similarityFromCosineDistance, toFp32Blob } from './vectors.ts';

/** The KNN score alias; the leading underscores keep it apart from attribute names. */
const DISTANCE = '__distance';
const VECTOR_FIELD = 'embedding';

export interface FtNames {
  index: string;
  /** Documents live at `${docPrefix}${id}`. */
  docPrefix: string;
}

export function ftNames(options: VectorIndexOptions): FtNames {
  const prefix = keyPrefixOf(options);
  return { index: `${prefix}:idx`, docPrefix: `${prefix}:doc:` };
}

const KIND_TYPE: Record<FieldKind, string> = { tag: 'TAG', text: 'TEXT', numeric: 'NUMERIC' };

/**
 * `FT.CREATE`: an index name is not a key (the search module finds the documents by prefix), so the command is
 * keyless and any node may take it.
 */
export function ftCreateCommand(names: FtNames, options: VectorIndexOptions): Command {
  const vector = ['TYPE', 'FLOAT32', 'DIM', String(options.dim), 'DISTANCE_METRIC', 'COSINE'];
  if (options.m !== undefined) vector.push('M', String(options.m));
  if (options.efConstruction !== undefined) vector.push('EF_CONSTRUCTION', String(options.efConstruction));
  if (options.efSearch !== undefined) vector.push('EF_RUNTIME', String(options.efSearch));
  const args = [names.index, 'ON', 'JSON', 'PREFIX', '1', names.docPrefix, 'SCHEMA'];
  args.push(`$.${VECTOR_FIELD}`, 'AS', VECTOR_FIELD, 'VECTOR', 'HNSW', String(vector.length), ...vector);
  for (const [field, kind] of Object.entries(options.fields ?? {})) {
    if (checkFieldName(field) === VECTOR_FIELD) throw new RangeError(`"${VECTOR_FIELD}" is the vector's own field`);
    args.push(`$.${field}`, 'AS', field, KIND_TYPE[kind]);
  }
  return keyless('FT.CREATE', ...args);
}

export function ftSearchCommand(
  names: FtNames,
  blob: Buffer,
  options: SearchOptions,
  fields: Record<string, FieldKind>,
): Command {
  const k = searchK(options);
  const ef = options.ef !== undefined ? ` EF_RUNTIME ${Math.trunc(options.ef)}` : '';
  const query = `${ftFilterQuery(options.filter, fields)}=>[KNN ${k} @${VECTOR_FIELD} $vec${ef} AS ${DISTANCE}]`;
  const returned = [DISTANCE, ...Object.keys(fields)];
  return keyless(
    'FT.SEARCH',
    names.index,
    query,
    'PARAMS',
    '2',
    'vec',
    blob,
    'SORTBY',
    DISTANCE,
    'ASC',
    'RETURN',
    String(returned.length),
    ...returned,
    'LIMIT',
    '0',
    String(k),
    'DIALECT',
    '2',
  );
}

/**
 * `[total, key, [field, value, …], key, […], …]` (RESP2). The distance is cosine distance 1 - cos in [0, 2],
 * turned into the module's similarity (1 + cos) / 2; numeric fields come back as text and are parsed.
 */
export function parseFtSearchReply(reply: unknown, names: FtNames, fields: Record<string, FieldKind>): SearchHit[] {
  if (!Array.isArray(reply)) throw new TypeError(`Unexpected FT.SEARCH reply: ${JSON.stringify(reply)}`);
  const hits: SearchHit[] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) {
    const key = String(reply[i]);
    const values = fieldMap(reply[i + 1]);
    const attributes: Attributes = {};
    for (const [field, value] of values) {
      if (field === DISTANCE) continue;
      attributes[field] = fields[field] === 'numeric' ? Number(value) : String(value);
    }
    hits.push({
      id: key.startsWith(names.docPrefix) ? key.slice(names.docPrefix.length) : key,
      score: similarityFromCosineDistance(Number(values.get(DISTANCE))),
      attributes,
    });
  }
  return hits;
}

export interface FtIndexState {
  numDocs: number;
  dim: number | undefined;
  details: Record<string, string | number>;
}

/**
 * Reads `FT.INFO`: a flat field/value list whose `attributes` entry lists each field as a flat list too. Attribute
 * keys are matched case-insensitively (`dim`, `M`, `ef_construction` differ in case between versions); when the
 * dimension cannot be read it is undefined, and `ensure()` then does not claim a mismatch.
 */
export function parseFtInfo(reply: unknown): FtIndexState {
  const info = fieldMap(reply);
  let dim: number | undefined;
  const details: Record<string, string | number> = {};
  for (const attribute of (info.get('attributes') as unknown[] | undefined) ?? []) {
    const fields = new Map([...fieldMap(attribute)].map(([key, value]) => [key.toLowerCase(), value]));
    if (String(fields.get('type')).toUpperCase() !== 'VECTOR') continue;
    const declared = Number(fields.get('dim'));
    dim = Number.isInteger(declared) && declared > 0 ? declared : undefined;
    for (const name of ['algorithm', 'data_type', 'distance_metric', 'm', 'ef_construction', 'ef_runtime']) {
      if (fields.has(name)) details[name] = String(fields.get(name));
    }
  }
  for (const name of ['num_docs', 'indexing', 'percent_indexed', 'hash_indexing_failures', 'vector_index_sz_mb']) {
    if (info.has(name)) details[name] = String(info.get(name));
  }
  return { numDocs: Number(info.get('num_docs') ?? 0), dim, details };
}

function isUnknownIndex(error: unknown): boolean {
  return /unknown index name|no such index|not found/i.test((error as Error).message);
}

export class FtJsonIndex implements VectorIndex {
  readonly backend = 'ft-json' as const;
  readonly name: string;
  readonly dim: number;
  readonly names: FtNames;
  private readonly client: RedisClient;
  private readonly options: VectorIndexOptions;
  private readonly fields: Record<string, FieldKind>;

  constructor(client: RedisClient, options: VectorIndexOptions) {
    this.client = client;
    this.options = options;
    this.name = options.name;
    this.dim = options.dim;
    this.fields = options.fields ?? {};
    this.names = ftNames(options);
  }

  async ensure(): Promise<void> {
    const state = await this.state();
    if (!state) {
      await sendOne(this.client, ftCreateCommand(this.names, this.options));
      return;
    }
    if (state.dim !== undefined && state.dim !== this.dim) {
      throw new VectorIndexMismatchError(
        `Search index ${this.names.index} already exists with dimension ${state.dim}, not ${this.dim}: drop it and ingest again, or open it with its settings`,
      );
    }
  }

  async upsert(items: readonly VectorItem[], options: UpsertOptions = {}): Promise<number> {
    const commands = items.map((item) => {
      checkItem(item, this.dim, this.name);
      if (item.attributes && VECTOR_FIELD in item.attributes) {
        throw new RangeError(`Item "${item.id}" has an attribute named "${VECTOR_FIELD}", the vector's own field`);
      }
      const document = { ...item.attributes, [VECTOR_FIELD]: Array.from(item.vector) };
      return command('JSON.SET', `${this.names.docPrefix}${item.id}`, '$', JSON.stringify(document));
    });
    await sendAll(this.client, commands, options);
    return items.length;
  }

  async delete(ids: readonly string[]): Promise<number> {
    const replies = await sendAll(
      this.client,
      ids.map((id) => command('UNLINK', `${this.names.docPrefix}${checkId(id, this.name)}`)),
    );
    return replies.reduce<number>((sum, reply) => sum + Number(reply), 0);
  }

  async search(vector: ArrayLike<number>, options: SearchOptions = {}): Promise<SearchHit[]> {
    checkVector(vector, this.dim, 'Query vector', this.name);
    const search = ftSearchCommand(this.names, toFp32Blob(vector), options, this.fields);
    return parseFtSearchReply(await sendOne(this.client, search), this.names, this.fields);
  }

  async info(): Promise<VectorIndexInfo> {
    const state = await this.state();
    return {
      backend: this.backend,
      name: this.name,
      dim: state?.dim ?? this.dim,
      count: state?.numDocs ?? 0,
      details: { index: this.names.index, ...state?.details },
    };
  }

  keysOf(ids: readonly string[]): string[] {
    return ids.map((id) => `${this.names.docPrefix}${id}`);
  }

  /** FT.DROPINDEX … DD also deletes the documents. */
  async drop(): Promise<void> {
    try {
      await sendOne(this.client, keyless('FT.DROPINDEX', this.names.index, 'DD'));
    } catch (error) {
      if (!isUnknownIndex(error)) throw error;
    }
  }

  private async state(): Promise<FtIndexState | undefined> {
    try {
      return parseFtInfo(await sendOne(this.client, keyless('FT.INFO', this.names.index)));
    } catch (error) {
      if (isUnknownIndex(error)) return undefined;
      throw error;
    }
  }
}
