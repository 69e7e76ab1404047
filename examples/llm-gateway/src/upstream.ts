/**
 * The upstream model: an OpenAI-compatible `POST <UPSTREAM_URL>/chat/completions`, with a deadline on every call.
 * Its failures are UpstreamError, which the gateway answers with 502 (or 504 on the deadline), never with a cached
 * guess.
 */
import type { ChatMessage } from './chat.ts';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly status: 502 | 504;
  constructor(message: string, status: 502 | 504) {
    super(message);
    this.status = status;
  }
}

export type Upstream = (model: string, messages: ChatMessage[], rest: Record<string, unknown>) => Promise<string>;

/** Largest upstream answer read, in bytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export function createUpstream(baseUrl: string, options: { apiKey?: string | undefined; timeoutMs: number }): Upstream {
  const url = `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return async (model, messages, rest) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ ...rest, model, messages, stream: false }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new UpstreamError(`the upstream did not answer within ${options.timeoutMs} ms`, 504);
      throw new UpstreamError('the upstream could not be reached', 502);
    }
    const text = await response.text();
    if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) throw new UpstreamError('the upstream answer is over 1 MiB', 502);
    if (!response.ok) throw new UpstreamError(`the upstream answered ${response.status}`, 502);
    try {
      const content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message
        ?.content;
      if (typeof content === 'string') return content;
    } catch {
      // fall through: not JSON
    }
    throw new UpstreamError('the upstream answer has no choices[0].message.content', 502);
  };
}
