/**
 * How to run a provisioned binary: through its Debian suite's dynamic loader with that suite's libraries.
 * The loader passes the binary's path as argv[0], which matters: redis-server and redis-check-rdb are one
 * executable that picks its role from argv[0].
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianSuite } from '../targets/catalog.ts';
import { DEFAULT_SUITE, serversDir } from './debian.ts';

export type ServerKind = 'redis' | 'valkey';
export type Tool = 'server' | 'cli';

export interface Command {
  command: string;
  args: string[];
}

export class ServerBinaryMissingError extends Error {
  override readonly name = 'ServerBinaryMissingError';
}

/** Library directories: bookworm's libc6 installs under /lib, later suites' under /usr/lib (merged /usr). */
const LIBRARY_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'];

export function binaryCommand(
  kind: ServerKind,
  tool: Tool,
  suite: DebianSuite = DEFAULT_SUITE,
  dir = serversDir(suite),
): Command {
  const binary = join(dir, 'usr/bin', `${kind}-${tool}`);
  const libs = LIBRARY_DIRS.map((d) => join(dir, d));
  const loader = libs.map((d) => join(d, 'ld-linux-x86-64.so.2')).find((path) => existsSync(path));
  if (!existsSync(binary) || !loader) {
    throw new ServerBinaryMissingError(
      `No ${kind}-${tool} binary from Debian ${suite} in ${dir}. Run \`npm run provision\` to install the servers ` +
        'of every target there (Debian/Ubuntu x86_64), or name running servers with REDIS_TARGETS, or use Docker ' +
        'with RAK_PROVIDER=docker.',
    );
  }
  return { command: loader, args: ['--library-path', libs.join(':'), binary] };
}
