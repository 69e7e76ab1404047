/**
 * express-session is an optional peer: importing `@redis-agent-kit/patterns/session` (the MCP server does, for the
 * session repository) must not load it; building a cutover store does, and the store is one of its `Store`s.
 * Checked in a fresh Node process, so nothing this test runner loaded counts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

const script = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((path) => path.includes('/express-session/'));
const session = await import('@redis-agent-kit/patterns/session');
const onImport = loaded();
const legacy = { query: async () => ({ rows: [] }) };
const store = session.createCutoverStore({ prefix: 'sess:', client: {} }, { legacy });
const { Store } = require('express-session');
console.log(JSON.stringify({ onImport, onCreate: loaded(), isStore: store instanceof Store }));
`;

describe('the /session subpath and its optional peer', () => {
  it('loads express-session only when a cutover store is built', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--input-type=module', '--eval', script],
      { cwd: repoRoot },
    );
    expect(JSON.parse(stdout)).toEqual({ onImport: false, onCreate: true, isStore: true });
  });
});
