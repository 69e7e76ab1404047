/**
 * The MCP server as a user installs it outside the monorepo: one tarball (`npm run pack:mcp-server`) installed in an
 * empty folder gives a working `redis-mcp-server` command that serves a real server over stdio, and `npx <tarball>`
 * runs it without installing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import { packMcpServer } from '../src/pack-mcp-server.ts';
import { target } from '../src/vitest/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'rak-mcp-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The machine's environment (npm's registry settings and CA certificates) without the monorepo's NODE_OPTIONS
// (--conditions=source): the installed copy resolves packages as a user's would.
const { NODE_OPTIONS: _monorepoOnly, ...inherited } = process.env;
const env = inherited as Record<string, string>;

describe('the MCP server packed and installed', () => {
  it('installs from one tarball in an empty folder and serves Redis over stdio; npx runs the tarball', async () => {
    const tarball = packMcpServer(join(scratch, 'pack'));
    const app = join(scratch, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"app","private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', tarball], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    const bin = join(app, 'node_modules', '.bin', 'redis-mcp-server');
    const version = JSON.parse(readFileSync(join(ROOT, 'packages/mcp-server/package.json'), 'utf8')).version;
    expect(execFileSync(bin, ['--version'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()).toBe(
      version,
    );

    const client = new Client({ name: 'pack-test', version: '1' });
    await client.connect(new StdioClientTransport({ command: bin, args: ['--url', target('redis-8').url], env }));
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('keys');
      const info = await client.callTool({ name: 'server', arguments: { op: 'info', section: 'server' } });
      expect(info.isError ?? false).toBe(false);
    } finally {
      await client.close();
    }

    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere);
    const viaNpx = execFileSync('npx', ['--yes', '--package', tarball, 'redis-mcp-server', '--version'], {
      cwd: elsewhere,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    expect(viaNpx.trim()).toBe(version);
  }, 180_000);
});
