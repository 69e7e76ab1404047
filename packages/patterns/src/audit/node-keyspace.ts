/**
 * What a master says about its keyspace before the scan: DBSIZE (its share of a sample and the progress goal), and
 * from INFO keyspace the keys with a TTL and the hashes with field TTLs (`subexpiry`, Redis 7.4+). A user denied
 * DBSIZE still gets an audit: the count then comes from INFO keyspace, or stays unknown (null) when INFO is denied
 * too, and the notes say so. Any other error ends the audit of the instance.
 */
import type { Redis } from 'ioredis';
import { isNoPerm, parseInfo } from '../capabilities.ts';

export interface NodeKeyspace {
  dbsize: number | null;
  /** Keys with a TTL (INFO keyspace `expires`), when INFO is allowed. */
  expires: number | null;
  /** Hashes with at least one field TTL (INFO keyspace `subexpiry`), when the server reports it. */
  subexpiry: number | null;
  /** Commands refused, for the notes. */
  refused: ('DBSIZE' | 'INFO')[];
}

/** `null` for a NOPERM refusal; any other error is thrown. */
async function allowed<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (isNoPerm(error)) return null;
    throw error;
  }
}

export async function readNodeKeyspace(
  node: Redis,
  deadline: <T>(promise: Promise<T>, what: string) => Promise<T>,
): Promise<NodeKeyspace> {
  const [dbsize, info] = await Promise.all([
    allowed(deadline(node.dbsize(), 'DBSIZE')),
    allowed(deadline(node.info('keyspace'), 'INFO keyspace')),
  ]);
  // `db0:keys=3,expires=1,avg_ttl=0,subexpiry=0`; a database without keys has no line at all.
  const line = info === null ? undefined : (parseInfo(info)[`db${node.options.db ?? 0}`] ?? '');
  const field = (name: string) => {
    if (line === undefined) return null;
    const value = new RegExp(`(?:^|,)${name}=(\\d+)`).exec(line)?.[1];
    return value === undefined ? (line === '' ? 0 : null) : Number(value);
  };
  return {
    dbsize: dbsize ?? field('keys'),
    expires: field('expires'),
    subexpiry: field('subexpiry'),
    refused: [...(dbsize === null ? (['DBSIZE'] as const) : []), ...(info === null ? (['INFO'] as const) : [])],
  };
}
