/**
 * How to run a provisioned binary: through trixie's dynamic loader with trixie's libraries.
 * The loader passes the binary's path as argv[0], which matters: redis-server and redis-check-rdb are one
 * executable that picks its role from argv[0].
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serversDir } from './debian.ts';

export type ServerKind = 'redis' | 'valkey';
export type Tool = 'server' | 'cli';

export interface Command {
  command: string;
  args: string[];
}

export class ServerBinaryMissingError extends Error {
  override readonly name = 'ServerBinaryMissingError';
}

export function binaryCommand(kind: ServerKind, tool: Tool, dir = serversDir()): Command {
  const binary = join(dir, 'usr/bin', `${kind}-${tool}`);
  const libs = join(dir, 'usr/lib/x86_64-linux-gnu');
  const loader = join(libs, 'ld-linux-x86-64.so.2');
  if (!existsSync(binary) || !existsSync(loader)) {
    throw new ServerBinaryMissingError(
      `No ${kind}-${tool} binary in ${dir}. Run \`npm run provision\` to install Redis 8 and Valkey 8.1 there ` +
        '(Debian/Ubuntu x86_64), or name running servers with REDIS_TARGETS, or use Docker with RAK_PROVIDER=docker.',
    );
  }
  return { command: loader, args: ['--library-path', libs, binary] };
}
