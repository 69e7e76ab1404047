/** What the audit needs to know about the server: its capabilities, and a note when INFO was refused. */
import { type Capabilities, probeServer } from '../capabilities.ts';
import type { RedisClient } from '../connection.ts';

/** The server's capabilities, with a note when the user's ACL refused INFO and HELLO identified the server. */
export async function auditCapabilities(client: RedisClient): Promise<{ capabilities: Capabilities; notes: string[] }> {
  const { capabilities, identifiedBy } = await probeServer(client);
  const notes =
    identifiedBy === 'HELLO'
      ? ['INFO is not allowed for this user: server identified with HELLO and COMMAND INFO']
      : [];
  return { capabilities, notes };
}
