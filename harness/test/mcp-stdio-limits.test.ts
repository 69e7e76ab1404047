/**
 * The MCP server over stdio as a client that misbehaves sees it: a message far over the bound is answered with an
 * error (its id kept) and the server goes on answering; closing stdin ends the process.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oversizeReply } from '../../packages/mcp-server/src/stdio-limit.ts';
import { target } from '../src/vitest/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = ['--conditions=source', join(ROOT, 'packages/mcp-server/src/cli.ts')];

describe('MCP stdio bounds', () => {
  it('advertises no list changes, answers an 11 MiB message with an error, serves the next call, exits when stdin closes', async () => {
    const child = spawn(process.execPath, [...CLI, '--url', target('redis-8').url], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const replies: Record<string, unknown>[] = [];
    let buffered = '';
    let waiting: (() => void) | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        replies.push(JSON.parse(buffered.slice(0, newline)));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
      waiting?.();
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const replyTo = async (id: number) => {
      for (let i = 0; i < 600 && !replies.some((r) => r.id === id); i++) {
        await new Promise<void>((r) => {
          waiting = r;
          setTimeout(r, 50);
        });
      }
      return replies.find((r) => r.id === id);
    };
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    try {
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      const initialized = (await replyTo(1)) as { result: { capabilities: { tools?: { listChanged?: boolean } } } };
      // The tool list is fixed at start: no tools/list_changed notification will ever come, so none is advertised.
      expect(initialized.result.capabilities.tools?.listChanged ?? false).toBe(false);
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const huge = 'x'.repeat(11 * 1024 * 1024);
      send({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'string', arguments: { op: 'set', key: 'k', value: huge } },
      });
      const refused = (await replyTo(7)) as { error?: { code: number; message: string } };
      expect(refused.error?.code).toBe(-32600);
      expect(refused.error?.message).toMatch(/exceeds the 4194304-byte limit/);
      send({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'docs', arguments: { pattern: 'xadd' } } });
      expect(await replyTo(8)).toHaveProperty('result');
      child.stdin.end();
      const code = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('keeps the request id of a dropped message when its start shows one', () => {
    expect(JSON.parse(oversizeReply('{"jsonrpc":"2.0","id":"abc","method":"tools/call"', 10, 5)).id).toBe('abc');
    expect(JSON.parse(oversizeReply('{"jsonrpc":"2.0","method":"x","id":42', 10, 5)).id).toBe(42);
    expect(JSON.parse(oversizeReply('garbage', 10, 5)).id).toBeNull();
  });
});
