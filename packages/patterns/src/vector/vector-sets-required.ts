/**
 * The capability gate of the patterns built on vector sets alone (the semantic cache, long-term memory): the server
 * is probed once, on first use (or the caller's probe is taken), and a server without vector sets is refused with a
 * CapabilityMissingError naming vector sets, before any command is sent.
 *
 * These patterns have no search (FT.SEARCH) path: a server with search but no vector sets (Redis Stack 7.x) is
 * refused too, and the message says so rather than suggesting that search would do.
 */
import { type Capabilities, CapabilityMissingError, probeCapabilities } from '../capabilities.ts';
import type { RedisClient } from '../connection.ts';

/** Why `what` refuses a server without vector sets, for one that has search and one that has neither. */
export function vectorSetsRefusal(what: string, caps: Pick<Capabilities, 'search'>): string {
  const why = `${what} needs vector sets (Redis 8); it has no search (FT.SEARCH) path yet`;
  return caps.search ? `${why}, so this server's search is not used` : `${why}, and this server has no search either`;
}

/**
 * A `ready()` for a pattern named `what` (e.g. `the semantic cache`): resolves when the server has vector sets,
 * else rejects with a CapabilityMissingError for `vectorSets`. A probe that succeeded is kept; one that failed is
 * tried again on the next call.
 */
export function vectorSetsRequired(
  client: RedisClient,
  what: string,
  known?: Capabilities,
): () => Promise<Capabilities> {
  let capabilities: Promise<Capabilities> | undefined = known && Promise.resolve(known);
  return async () => {
    // A probe that failed (a timeout, a dropped connection) is forgotten, so the next call probes again rather than
    // failing for the life of the process.
    capabilities ??= probeCapabilities(client).catch((error: unknown) => {
      capabilities = undefined;
      throw error;
    });
    const caps = await capabilities;
    if (caps.vectorSets) return caps;
    throw new CapabilityMissingError('vectorSets', `${caps.server} ${caps.version}`, vectorSetsRefusal(what, caps));
  };
}
