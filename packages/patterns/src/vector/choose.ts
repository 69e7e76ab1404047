/**
 * Picks the vector index backend from what the server can do: search and JSON → `FT.CREATE … ON JSON` (the
 * production path); vector sets → one vector set per index (Redis 8 without search); neither → a
 * CapabilityMissingError naming what is missing (Valkey 8.1).
 */
import { type Capabilities, CapabilityMissingError, type CapabilityName, probeCapabilities } from '../capabilities.ts';
import type { RedisClient } from '../connection.ts';
import { FtJsonIndex } from './ft-json-index.ts';
import type { VectorBackend, VectorIndex } from './types.ts';
import { VectorSetIndex, type VectorSetIndexOptions } from './vector-set-index.ts';

/** Options of both backends; `quantization` only applies to a vector set (FT stores FLOAT32). */
export interface ChooseOptions extends VectorSetIndexOptions {
  /** `auto` (default) picks by capability; naming a backend refuses servers that lack it. */
  backend?: 'auto' | VectorBackend;
}

const NEEDS: Record<VectorBackend, CapabilityName[]> = {
  'ft-json': ['search', 'json'],
  'vector-set': ['vectorSets'],
};

/** The backend for these capabilities, or a CapabilityMissingError naming the first missing capability. */
export function pickBackend(caps: Capabilities, wanted: 'auto' | VectorBackend = 'auto'): VectorBackend {
  const server = `${caps.server} ${caps.version}`;
  const missing = (backend: VectorBackend) => NEEDS[backend].filter((name) => !caps[name]);
  if (wanted !== 'auto') {
    const [first] = missing(wanted);
    if (first) throw new CapabilityMissingError(first, server, `the ${wanted} vector index needs it`);
    return wanted;
  }
  if (missing('ft-json').length === 0) return 'ft-json';
  if (missing('vector-set').length === 0) return 'vector-set';
  throw new CapabilityMissingError(
    'vectorSets',
    server,
    'a vector index needs vector sets (Redis 8) or search with JSON (FT.CREATE … ON JSON, e.g. redis:8.6-alpine), and this server has neither',
  );
}

/** The vector index these capabilities support best, opened without touching the server (no `ensure()`). */
export function openVectorIndex(client: RedisClient, options: ChooseOptions, caps: Capabilities): VectorIndex {
  return pickBackend(caps, options.backend) === 'ft-json'
    ? new FtJsonIndex(client, options)
    : new VectorSetIndex(client, options);
}

/** Opens (and ensures) the vector index the server supports best. */
export async function chooseVectorIndex(
  client: RedisClient,
  options: ChooseOptions,
  caps?: Capabilities,
): Promise<VectorIndex> {
  const index = openVectorIndex(client, options, caps ?? (await probeCapabilities(client)));
  await index.ensure();
  return index;
}
