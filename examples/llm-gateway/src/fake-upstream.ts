/**
 * A fake OpenAI-compatible upstream for the offline demo and the tests: answers every chat completion with a
 * deterministic text derived from the last user message, and counts the calls (`GET /calls`), so a cache hit shows
 * as a call that did not happen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUpstream {
  /** Base URL to give as UPSTREAM_URL (ends in /v1). */
  url: string;
  /** Chat completions answered so far. */
  calls(): number;
  close(): Promise<void>;
}

export async function startFakeUpstream(port = 0): Promise<FakeUpstream> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/calls') return void res.end(JSON.stringify({ calls }));
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      calls++;
      const { model, messages } = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
      const question = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const content = `(fake ${model}, answer ${calls}, ${messages.length} message(s) of context) You asked: ${question}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `fake-${calls}`,
          object: 'chat.completion',
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
