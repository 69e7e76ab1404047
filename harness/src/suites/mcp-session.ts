/**
 * An MCP client session for the suites and tests: any MCP client (in-memory, stdio, HTTP) wrapped with output-schema
 * checks, and the server started in this process behind an in-memory transport.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig, resolveGroups, startRedisMcp } from '@redis-agent-kit/mcp-server';
import { Ajv } from 'ajv';
import type { TargetInfo } from '../targets/types.ts';

export interface McpSession {
  client: Client;
  tools: Tool[];
  /**
   * Calls a tool; fails unless the result is a success with structuredContent, which must match the listed
   * outputSchema when the server lists them (`--output-schemas`; the server validates against them either way).
   */
  ok(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Calls a tool and returns the error text; fails unless the result is an error. */
  fails(name: string, args: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

const ajv = new Ajv({ strict: false });

/** Wraps any MCP client (in-memory, stdio, HTTP) with output-schema checks. */
export async function mcpSession(client: Client, close: () => Promise<void>): Promise<McpSession> {
  const { tools } = await client.listTools();
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    client,
    tools,
    async ok(name, args) {
      const result = await call(name, args);
      const text = (result.content?.[0] as { text?: string } | undefined)?.text;
      assert.ok(!result.isError, `${name} ${JSON.stringify(args)} failed: ${text}`);
      assert.ok(result.structuredContent, `${name} answers with structured content`);
      const schema = tools.find((t) => t.name === name)?.outputSchema;
      if (schema) {
        const validate = ajv.compile(schema);
        assert.ok(validate(result.structuredContent), `${name} output: ${ajv.errorsText(validate.errors)}`);
      }
      assert.deepEqual(JSON.parse(text ?? ''), result.structuredContent, 'text content mirrors structuredContent');
      return result.structuredContent as Record<string, unknown>;
    },
    async fails(name, args) {
      const result = await call(name, args);
      const text = (result.content?.[0] as { text?: string } | undefined)?.text ?? '';
      assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail, got ${text}`);
      return text;
    },
    close,
  };
}

/** The server in this process with a client over an in-memory transport; output schemas listed and checked. */
export async function inProcessSession(target: TargetInfo, flags: string[] = []): Promise<McpSession> {
  const config = parseConfig(
    ['--url', target.url, ...(target.cluster ? ['--cluster-mode'] : []), '--output-schemas', ...flags],
    {},
    resolveGroups,
  );
  const app = await startRedisMcp(config);
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  const server = app.createServer();
  await server.connect(serverSide);
  const client = new Client({ name: 'rak-suite', version: '1' });
  await client.connect(clientSide);
  return mcpSession(client, async () => {
    await client.close();
    await server.close();
    await app.close();
  });
}
