/**
 * One interface for a vector index, whichever Redis structure holds it: a vector set (`VADD`/`VSIM`, Redis 8)
 * or a search index over JSON documents (`FT.CREATE … ON JSON`, servers with search and JSON).
 * `chooseVectorIndex()` picks the backend from the server's capabilities.
 */
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
  /** Search exploration factor when a query names none (default: the server's; FT's EF_RUNTIME default is 10). */
  efSearch?: number;
}

export interface SearchOptions {
  /** How many nearest neighbours to return. Default 5. */
  k?: number;
  filter?: SearchFilter;
  /** Search exploration factor (VSIM `EF`, FT `EF_RUNTIME`): higher is slower and finds more true neighbours. */
  ef?: number;
}

export interface SearchHit {
  id: string;
  /** Cosine similarity mapped to [0, 1]: (1 + cos) / 2, so 1 is identical, 0.5 unrelated, 0 opposite. */
  score: number;
  /** Vector sets return every stored attribute; FT returns the fields declared in the index's `fields`. */
  attributes: Attributes;
}

export interface UpsertOptions {
  /** Commands per pipeline round trip. Default 200. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export type VectorBackend = 'vector-set' | 'ft-json';

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
}
