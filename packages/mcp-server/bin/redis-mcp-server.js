#!/usr/bin/env node
// The installed command: runs the built server. Kept outside dist/ so npm can link it before the first build.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('redis-mcp-server: dist/cli.js is missing; run `npm run build` in the repository first\n');
  process.exit(2);
}
await import(cli.href);
