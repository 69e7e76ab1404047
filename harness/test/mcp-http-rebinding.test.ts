/**
 * DNS rebinding and cross-origin requests against the MCP server's Streamable HTTP transport (MCP 2025-11-25,
 * security): each hostile Host or Origin gets 403, and its tools/call never reaches Redis; loopback names with the
 * bound port, and names the operator allows with --allowed-hosts, still work.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, target } from '../src/vitest/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = ['--conditions=source', join(ROOT, 'packages/mcp-server/src/cli.ts')];
const redis8 = target('redis-8');

let child: ChildProcess;
let port: number;

beforeAll(async () => {
  child = spawn(
    process.execPath,
    [
      ...CLI,
      '--url',
      redis8.url,
      '--transport',
      'http',
      '--port',
      '0',
      '--profile',
      'full',
      '--allowed-hosts',
      'mcp.internal.test',
    ],
    { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  port = await new Promise<number>((done, fail) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const found = /listening on http:\/\/[^:]+:(\d+)\//.exec(log);
      if (found) done(Number(found[1]));
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code}: ${log}`)));
  });
});

afterAll(async () => {
  if (child.exitCode !== null) return;
  await new Promise<void>((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
});

/** A tools/call that writes `key`, sent with the given Host and Origin headers. */
function post(headers: Record<string, string>, key: string): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'string', arguments: { op: 'set', key, value: 'written', ttl: 60 } },
  });
  return new Promise((done, fail) => {
    const { host, ...rest } = headers;
    const req = request({
      host: '127.0.0.1',
      port,
      // An empty Host is sent as no Host at all.
      setHost: host !== '',
      path: '/mcp',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...rest,
        ...(host ? { host } : {}),
      },
    });
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.once('error', fail);
    req.end(body);
  });
}

describe('MCP HTTP transport against DNS rebinding', () => {
  const hostile: [string, Record<string, string>][] = [
    ['a name that starts with 127.', { host: `127.0.0.1.rebind.attacker.example:${0}` }],
    ['an attacker name', { host: 'attacker.example' }],
    ['a loopback name on another port', { host: 'localhost:1' }],
    ['a missing Host', { host: '' }],
    ['a foreign Origin', { origin: 'http://evil.example' }],
    ['a loopback Origin on another port', { origin: 'http://localhost:1' }],
    ['an Origin that does not parse', { origin: 'null' }],
  ];

  it.each(hostile)('refuses %s with 403 and writes nothing', async (_, headers) => {
    const client = await clientFor(redis8);
    const key = `rak:rebind:${randomBytes(4).toString('hex')}`;
    const fixed = { host: `127.0.0.1:${port}`, ...headers };
    if (fixed.host.endsWith(':0')) fixed.host = fixed.host.replace(/:0$/, `:${port}`);
    const answer = await post(fixed, key);
    // Node's HTTP server itself answers 400 to an HTTP/1.1 request without Host; every other case is ours.
    if (headers.host === '') expect(answer.status).toBe(400);
    else {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error.message).toMatch(/not allowed/);
    }
    expect(await client.exists(key)).toBe(0);
  });

  it.each([
    ['127.0.0.1 with the port', { host: `127.0.0.1:PORT` }],
    ['localhost with the port and its own Origin', { host: 'localhost:PORT', origin: 'http://localhost:PORT' }],
    ['a name listed in --allowed-hosts', { host: 'mcp.internal.test:PORT', origin: 'https://mcp.internal.test' }],
  ])('serves %s', async (_, headers) => {
    const client = await clientFor(redis8);
    const key = `rak:rebind:${randomBytes(4).toString('hex')}`;
    const withPort = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', String(port))]));
    const answer = await post(withPort, key);
    expect(answer.status, answer.body).toBe(200);
    expect(await client.get(key), answer.body).toBe('written');
    await client.unlink(key);
  });
});
