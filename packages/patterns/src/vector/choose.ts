/**
 * Picks the vector index backend from what the server can do: search and JSON → `FT.CREATE … ON JSON` (the
 * production path); vector sets → one vector set per index (Redis 8 without search); neither → a
 * CapabilityMissingError naming what is missing (Valkey 8.1).
 */
import { type Capabilities, CapabilityMissingError, type CapabilityName, probeCapabilities } from '../capabilities.ts';
import type { RedisClient } from '../connection.ts';
import { FtJsonIndex } from './ft-json-index.ts';
import { VECTOR_DEFAULTS, type VectorBackend, type VectorIndex, type VectorIndexOptions } from './types.ts';
import { VectorSetIndex } from './vector-set-index.ts';

const NEEDS: Record<VectorBackend, CapabilityName[]> = {
  'ft-json': ['search', 'json'],
  'vector-set': ['vectorSets'],
};

/** The backend for these capabilities, or a CapabilityMissingError naming the first missing capability. */
export function pickVectorBackend(
  caps: Capabilities,
  wanted: VectorIndexOptions['backend'] = VECTOR_DEFAULTS.backend,
): VectorBackend {
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

/**
 * The vector index these capabilities support best (or the backend `options.backend` names), opened without
 * touching the server: no probe and no `ensure()`, so reading an index never creates one.
 */
export function openVectorIndex(
  client: RedisClient,
  options: VectorIndexOptions & { capabilities: Capabilities },
): VectorIndex {
  return pickVectorBackend(options.capabilities, options.backend) === 'ft-json'
    ? new FtJsonIndex(client, options)
    : new VectorSetIndex(client, options);
}

/** Opens and ensures the vector index the server supports best, probing its capabilities unless given. */
export async function chooseVectorIndex(client: RedisClient, options: VectorIndexOptions): Promise<VectorIndex> {
  const capabilities = options.capabilities ?? (await probeCapabilities(client));
  const index = openVectorIndex(client, { ...options, capabilities });
  await index.ensure();
  return index;
}
