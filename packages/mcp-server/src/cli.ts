#!/usr/bin/env node
/**
 * `redis-mcp-server`: stdio by default (what Codex and Claude start), or `--transport http`. Logs go to stderr
 * (stdout belongs to the protocol) and never carry a password.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { redactText } from '@redis-agent-kit/patterns';
import { ConfigError, parseConfig, USAGE } from './config.ts';
import { serveHttp } from './http.ts';
import { SERVER_VERSION, startRedisMcp } from './server.ts';
import { MAX_STDIO_MESSAGE_BYTES, StdioLineLimit } from './stdio-limit.ts';
import { resolveGroups } from './tools/index.ts';

const secrets = [process.env.REDIS_PASSWORD, process.env.REDIS_MCP_HTTP_TOKEN];
const log = (line: string) => process.stderr.write(`redis-mcp-server: ${redactText(line, secrets)}\n`);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return;
  }
  const config = parseConfig(argv, process.env, resolveGroups);
  const app = await startRedisMcp(config);
  const names = app.tools.map((t) => t.name).join(', ');
  const readOnly = config.readOnly ? ', read-only' : '';
  const skipped = app.skipped.length ? `; not registered: ${app.skipped.join('; ')}` : '';
  log(`${app.caps.server} ${app.caps.version} at ${config.target.display}; tools: ${names}${readOnly}${skipped}`);
  // A bad call must never end the server: anything that escapes a handler is logged, not fatal.
  process.on('unhandledRejection', (error) => log(`unhandled: ${(error as Error)?.message ?? String(error)}`));
  let closeTransport: () => Promise<void>;
  if (config.transport === 'http') {
    const http = await serveHttp(app, config.http);
    log(`listening on ${http.url}${config.http.token ? ' (bearer token required)' : ''}`);
    closeTransport = http.close;
  } else {
    const server = app.createServer();
    const input = process.stdin.pipe(new StdioLineLimit(MAX_STDIO_MESSAGE_BYTES, (line) => process.stdout.write(line)));
    const transport = new StdioServerTransport(input, process.stdout);
    await server.connect(transport);
    closeTransport = () => server.close();
    // The client closing stdin ends the server, whatever state the transport is in.
    process.stdin.once('end', () => void shutdown());
    process.stdin.once('close', () => void shutdown());
    const onclose = transport.onclose;
    transport.onclose = () => {
      onclose?.();
      void shutdown();
    };
  }
  let closing = false;
  async function shutdown(): Promise<void> {
    if (closing) return;
    closing = true;
    await closeTransport().catch(() => {});
    await app.close();
    process.exit(0);
  }
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

/** ACL rules apply in order: the widely copied `+info … -@dangerous` takes INFO away again, since INFO is @dangerous. */
const NOPERM_INFO_HINT =
  " (the ACL user needs INFO: give '+info' after any '-@dangerous', e.g. … -@admin -@write -@dangerous +info +dbsize)";

main().catch((error: unknown) => {
  const message = (error as Error).message ?? String(error);
  const hint = /NOPERM.*'info'/.test(message) ? NOPERM_INFO_HINT : '';
  log(error instanceof ConfigError ? message : `cannot start: ${message}${hint}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
