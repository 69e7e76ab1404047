/**
 * `npm run pack:mcp-server -- [dir]`: one installable tarball of the MCP server, for `npm install <tarball>` in any
 * folder or `npx --package <tarball> redis-mcp-server`. @redis-agent-kit/patterns is not on a registry, so the tarball bundles its packed build
 * (`bundleDependencies`): the server's own dependencies come from the registry as usual, patterns from inside.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SERVER = join(ROOT, 'packages', 'mcp-server');

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Builds patterns and the server, packs them into one tarball in `destination`, and returns its path. */
export function packMcpServer(destination: string): string {
  const out = resolve(destination);
  mkdirSync(out, { recursive: true });
  npm(['run', 'build', '--silent', '-w', 'packages/patterns', '-w', 'packages/mcp-server'], ROOT);
  const staging = mkdtempSync(join(tmpdir(), 'rak-pack-'));
  try {
    for (const entry of ['package.json', 'README.md', 'bin', 'dist', 'src']) {
      cpSync(join(SERVER, entry), join(staging, entry), { recursive: true });
    }
    const patterns = join(staging, 'node_modules', '@redis-agent-kit', 'patterns');
    mkdirSync(patterns, { recursive: true });
    const packed = npm(['pack', '--silent', '-w', 'packages/patterns', '--pack-destination', staging], ROOT)
      .split('\n')
      .at(-1) as string;
    execFileSync('tar', ['-xzf', join(staging, packed), '-C', patterns, '--strip-components=1']);
    rmSync(join(staging, packed));
    const tarball = npm(['pack', '--silent', '--pack-destination', out], staging).split('\n').at(-1) as string;
    return join(out, tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const tarball = packMcpServer(process.argv[2] ?? join(ROOT, 'reports', 'pack'));
  console.log(
    `${tarball}\nnext: npm install ${tarball} && npx redis-mcp-server --help\n  or: npx --package ${tarball} redis-mcp-server --help`,
  );
}
