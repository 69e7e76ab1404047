/**
 * The read-only ACL recipe AGENTS.md and the MCP server's README give (the transports test checks they still say
 * this), and a way to run a check's reads as a user created with it: for the patterns whose reads must never write.
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { targetConnection } from '../targets/describe.ts';
import type { TargetInfo } from '../targets/types.ts';

/** The rules after `ACL SETUSER codex-reader on >…` in AGENTS.md. */
export const READ_ONLY_RECIPE =
  '~* &* +@read +@connection -@admin -@write -@dangerous +info +dbsize +subscribe +psubscribe +@transaction +evalsha +eval +time +vsim +vinfo +vcard +vgetattr +slowlog|get +client|list';

/**
 * Runs `use` with a client connected as a fresh user with the recipe's rules, then deletes the user. One server
 * only: ACL users are per node (checks using it say `topology: 'standalone'`).
 */
export async function asReadOnlyUser<T>(
  admin: RedisClient,
  target: TargetInfo,
  use: (reader: RedisClient) => Promise<T>,
): Promise<T> {
  const user = `rak-reader-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...READ_ONLY_RECIPE.split(' '));
  try {
    const reader = await connect({ ...targetConnection(target), username: user, password, readyCheck: false });
    try {
      return await use(reader);
    } finally {
      await closeClient(reader);
    }
  } finally {
    await admin.call('ACL', 'DELUSER', user);
  }
}
