/**
 * Streamable HTTP transport, stateless: every POST to /mcp gets a fresh MCP server and transport sharing the one
 * Redis connection, so there is no session state to lose or leak. With REDIS_MCP_HTTP_TOKEN set, every request must
 * carry it as a bearer token, and binding beyond loopback is refused without one (see config.ts).
 *
 * Against DNS rebinding (MCP 2025-11-25, security): a page on `attacker.example` that re-points its name at 127.0.0.1
 * sends its own name as Host and its own Origin. So on loopback the Host must be exactly one of the loopback names
 * with the bound port (`127.0.0.1`, `localhost`, `[::1]`), or a name the operator allowed; and a request that carries
 * an Origin is refused unless that origin names an allowed host too. Both are checked before any MCP server exists,
 * so a refused request never reaches Redis.
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

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** `host[:port]` as the URL parser reads it (lower case, brackets kept), or undefined when it does not parse. */
function authority(text: string, defaultPort: number): { host: string; port: number } | undefined {
  try {
    const url = new URL(`http://${text}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
    return { host: url.hostname, port: url.port ? Number(url.port) : defaultPort };
  } catch {
    return undefined;
  }
}

/**
 * Decides on Host and Origin headers. `allowedHosts` entries are `name` (any port) or `name:port`; on loopback the
 * loopback names with the bound port are allowed as well.
 */
export function requestGate(options: { loopback: boolean; port: number; allowedHosts: readonly string[] }) {
  const allowed = (host: string, port: number) =>
    (options.loopback && LOOPBACK_NAMES.includes(host) && port === options.port) ||
    options.allowedHosts.some((entry) => {
      const want = authority(entry, -1);
      return want !== undefined && want.host === host && (want.port === -1 || want.port === port);
    });
  const checkHost = options.loopback || options.allowedHosts.length > 0;
  return (headers: IncomingMessage['headers']): string | undefined => {
    if (checkHost) {
      const host = authority(headers.host ?? '', 80);
      if (!host || !allowed(host.host, host.port)) return 'Host header is not allowed for this server';
    }
    const origin = headers.origin;
    if (origin !== undefined) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      const port = parsed ? Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)) : 0;
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !allowed(parsed.hostname, port)) {
        return 'Origin is not allowed for this server';
      }
    }
    return undefined;
  };
}

export async function serveHttp(
  app: RedisMcp,
  options: { host: string; port: number; token: string | undefined; allowedHosts?: readonly string[] },
): Promise<HttpServer> {
  const loopback = isLoopback(options.host);
  const allowedHosts = options.allowedHosts ?? [];
  const http = createServer(async (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') return reject(res, 404, 'not found: use /mcp');
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return reject(res, 401, 'missing or wrong bearer token');
    }
    // The port is known once listening (it may be 0 in the options).
    const refused = requestGate({ loopback, port: (http.address() as AddressInfo).port, allowedHosts })(req.headers);
    if (refused) return reject(res, 403, refused);
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
