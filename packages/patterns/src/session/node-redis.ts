/**
 * The few node-redis calls the cutover store makes on connect-redis' client (a `createClient()` or
 * `createCluster()` from the `redis` package), typed by their shape so patterns does not depend on that package.
 * Keys that one call touches together share a slot (see moved-marker.ts), so a cluster routes each call whole.
 */
import { scriptSha } from '../lua-script.ts';

interface ScriptOptions {
  keys: string[];
  arguments: string[];
}

/** What a standalone node-redis client and a cluster both answer. */
export interface NodeRedisCommands {
  get(key: string): Promise<string | null>;
  del(keys: string[]): Promise<number>;
  exists(keys: string[]): Promise<number>;
  evalSha(sha: string, options: ScriptOptions): Promise<unknown>;
  eval(script: string, options: ScriptOptions): Promise<unknown>;
}

interface NodeRedisScanner {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>;
}

interface NodeRedisCluster {
  masters: unknown[];
  nodeClient(node: unknown): Promise<NodeRedisScanner>;
}

/** A Lua script run by its SHA1, its source sent once more (EVAL) where a node answers NOSCRIPT. */
export class NodeRedisScript {
  readonly source: string;
  readonly sha: string;
  constructor(source: string) {
    this.source = source;
    this.sha = scriptSha(source);
  }

  async run(client: NodeRedisCommands, keys: string[], args: (string | number)[]): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      return await client.evalSha(this.sha, options);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.eval(this.source, options);
    }
  }
}

/** Every key matching `match` on every master (SCAN, `count` per call), each once per node it lives on. */
export async function* scanAll(client: unknown, match: string, count: number): AsyncGenerator<string[]> {
  const nodes =
    typeof client === 'object' && client !== null && 'masters' in client
      ? await Promise.all((client as NodeRedisCluster).masters.map((m) => (client as NodeRedisCluster).nodeClient(m)))
      : [client as NodeRedisScanner];
  for (const node of nodes) yield* node.scanIterator({ MATCH: match, COUNT: count });
}
