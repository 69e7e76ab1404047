/**
 * How the two commands fail at start-up: one line on stderr that says what went wrong and what to do, and exit
 * code 1, never Node's dump of an uncaught exception (a stack trace around the one line that matters).
 */
import { CapabilityMissingError, closeClient, type RedisClient } from '@redis-agent-kit/patterns';

/** The error as one line, with the next step where the library's message does not already name it. */
export function refusalLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  if (error instanceof CapabilityMissingError) return `${oneLine}. Point REDIS_URL at Redis 8 or later.`;
  if (error instanceof Error && !/^(Redis|Vector|CapabilityMissing)\w*Error$/.test(error.name)) {
    return `${error.name}: ${oneLine}`;
  }
  return oneLine;
}

/** Prints the refusal, closes the client if there is one, and ends the process with exit code 1. */
export async function exitWithRefusal(command: string, error: unknown, client?: RedisClient): Promise<never> {
  console.error(`[${command}] cannot start: ${refusalLine(error)}`);
  if (client) await closeClient(client).catch(() => {});
  process.exit(1);
}
