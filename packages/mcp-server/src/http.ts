/**
 * Streamable HTTP transport, stateless: every POST to /mcp gets a fresh MCP server and transport sharing the one
 * Redis connection, so there is no session state to lose or leak. Bound to loopback it checks the Host header
 * (against DNS rebinding); with REDIS_MCP_HTTP_TOKEN set, every request must carry it as a bearer token, and
 * binding beyond loopback is refused without one (see config.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isLoopback } from './config.ts';
import type { RedisMcp } from './server.ts';

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function hostAllowed(req: IncomingMessage): boolean {
  try {
    const { hostname } = new URL(`http://${req.headers.host ?? ''}`);
    return isLoopback(hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

export async function serveHttp(
  app: RedisMcp,
  options: { host: string; port: number; token: string | undefined },
): Promise<HttpServer> {
  const loopback = isLoopback(options.host);
  const http = createServer(async (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') return reject(res, 404, 'not found: use /mcp');
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return reject(res, 401, 'missing or wrong bearer token');
    }
    if (loopback && !hostAllowed(req)) return reject(res, 403, 'Host header is not a loopback name');
    if (req.method !== 'POST') return reject(res, 405, 'stateless server: POST only');
    const server = app.createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      if (!res.headersSent) reject(res, 500, `internal error: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
