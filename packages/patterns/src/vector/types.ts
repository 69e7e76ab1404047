/**
 * One interface for a vector index, whichever Redis structure holds it: a vector set (`VADD`/`VSIM`, Redis 8)
 * or a search index over JSON documents (`FT.CREATE … ON JSON`, servers with search and JSON).
 * `chooseVectorIndex()` picks the backend from the server's capabilities.
 */
import type { Capabilities } from '../capabilities.ts';
import type { SearchFilter } from './filters.ts';

/** Flat attributes stored with each vector: filterable, and returned with every hit. */
export type Attributes = Record<string, string | number | boolean>;

export interface VectorItem {
  id: string;
  vector: ArrayLike<number>;
  attributes?: Attributes;
}

/** How an attribute is indexed on the FT backend (a vector set can filter on any attribute). */
export type FieldKind = 'tag' | 'text' | 'numeric';

export type VectorBackend = 'vector-set' | 'ft-json';

/** NOQUANT stores 32-bit floats; Q8 (the server's default) int8; BIN one bit a dimension (fastest, least recall). */
export type Quantization = 'NOQUANT' | 'Q8' | 'BIN';

export interface VectorIndexOptions {
  /** The index's name, e.g. `products`. */
  name: string;
  /** Dimension of every vector; vectors of any other length are refused. */
  dim: number;
  /** Key prefix, `{service}:{entity}` style. Default `vector:<name>`. */
  keyPrefix?: string;
  /** Attributes to index for filtering (and, on FT, to return with hits). */
  fields?: Record<string, FieldKind>;
  /** HNSW links per node, fixed at creation (server default 16). */
  m?: number;
  /** HNSW exploration factor while inserting (server default 200). */
  efConstruction?: number;
  /**
   * A fixed search exploration factor for queries that name none. Default: on a vector set, chosen per search from
   * the index's size and `recall` (a measured table, see `efForRecall`); on FT, the server's EF_RUNTIME (10).
   */
  efSearch?: number;
  /** The recall@k a vector set's searches aim for when no EF is fixed (0 < recall <= 1). Default 0.95. */
  recall?: number;
  /** `auto` (default) picks by capability; naming a backend refuses servers that lack it. */
  backend?: 'auto' | VectorBackend;
  /** A vector set's storage, fixed when the set is created (FT stores FLOAT32). Default Q8. */
  quantization?: Quantization;
  /** The server's capabilities when the caller has probed them already; `chooseVectorIndex` probes otherwise. */
  capabilities?: Capabilities;
}

/** The defaults of `VectorIndexOptions`, `SearchOptions` and `UpsertOptions` (the key prefix defaults to `vector:<name>`). */
export const VECTOR_DEFAULTS = {
  backend: 'auto',
  quantization: 'Q8',
  /** Neighbours a search returns. */
  k: 5,
  /** The recall a vector set's automatic EF aims for. */
  recall: 0.95,
  /** Commands per round trip of an upsert or delete. */
  batchSize: 200,
} as const;

export interface SearchOptions {
  /** How many nearest neighbours to return. Default 5. */
  k?: number;
  filter?: SearchFilter;
  /** Search exploration factor (VSIM `EF`, FT `EF_RUNTIME`): higher is slower and finds more true neighbours. */
  ef?: number;
  /** The recall this search aims for when no EF is given (vector sets). Default: the index's `recall`, 0.95. */
  recall?: number;
}

export interface SearchHit {
  id: string;
  /** Cosine similarity mapped to [0, 1]: (1 + cos) / 2, so 1 is identical, 0.5 unrelated, 0 opposite. */
  score: number;
  /** Vector sets return every stored attribute; FT returns the fields declared in the index's `fields`. */
  attributes: Attributes;
  /**
   * Set when the stored attributes could not be read (not a JSON object, or not UTF-8: written by another client
   * with `VSETATTR`); `attributes` is then empty. The hit is still a real neighbour, so the search does not fail.
   */
  attributeProblem?: string;
}

export interface UpsertOptions {
  /** Commands per pipeline round trip. Default 200. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface VectorIndexInfo {
  backend: VectorBackend;
  name: string;
  dim: number;
  /** Vectors stored (VCARD, or FT.INFO num_docs). */
  count: number;
  /** Backend specifics: quantization, HNSW parameters, indexing state. */
  details: Record<string, string | number>;
}

export interface VectorIndex {
  readonly backend: VectorBackend;
  readonly name: string;
  readonly dim: number;
  /** Creates the index if needed, and refuses an existing one built with another dimension or settings. */
  ensure(): Promise<void>;
  /** Adds or replaces items in pipelined batches; returns how many were written. */
  upsert(items: readonly VectorItem[], options?: UpsertOptions): Promise<number>;
  /** Removes items by id; returns how many existed. */
  delete(ids: readonly string[]): Promise<number>;
  search(vector: ArrayLike<number>, options?: SearchOptions): Promise<SearchHit[]>;
  info(): Promise<VectorIndexInfo>;
  /** Removes the index and every item in it. */
  drop(): Promise<void>;
  /** The keys an upsert of these ids writes: the vector set's one key, or each document's key. */
  keysOf(ids: readonly string[]): string[];
}
