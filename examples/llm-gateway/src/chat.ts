/**
 * The OpenAI chat completions request the gateway accepts, checked field by field (a client's mistake is a message,
 * never a crash), and the response it builds. Only what the cache needs is interpreted: model and messages; other
 * fields (temperature, max_tokens…) are forwarded to the upstream as they came.
 */
import { createHash, randomUUID } from 'node:crypto';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** Every other field of the request, forwarded unchanged. */
  rest: Record<string, unknown>;
}

/** Most messages one request may carry. */
export const MAX_MESSAGES = 100;
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The request, or what is wrong with it. */
export function parseChatRequest(body: unknown): ChatRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object with model and messages';
  const { model, messages, stream, ...rest } = body as Record<string, unknown>;
  if (typeof model !== 'string' || model.length === 0 || model.length > 200)
    return 'model must be a string of 1 to 200 characters';
  if (stream === true) return 'stream: true is not supported by this gateway; send stream: false or leave it out';
  if (!Array.isArray(messages) || messages.length === 0) return 'messages must be a non-empty array of {role, content}';
  if (messages.length > MAX_MESSAGES) return `messages holds ${messages.length} entries, over ${MAX_MESSAGES}`;
  for (const [i, m] of messages.entries()) {
    const { role, content } = (m ?? {}) as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role))
      return `messages[${i}].role must be one of ${[...ROLES].join(', ')}`;
    if (typeof content !== 'string') return `messages[${i}].content must be a string (parts arrays are not supported)`;
  }
  const last = messages.at(-1) as ChatMessage;
  if (last.role !== 'user' || last.content.length === 0) return 'the last message must be a non-empty user message';
  return { model, messages: (messages as ChatMessage[]).map(({ role, content }) => ({ role, content })), rest };
}

/**
 * What a cached answer is valid for besides the last user message: every message before it (system prompt and
 * history), hashed. Two requests share answers only with the same model and the same context.
 */
export function contextHash(messages: readonly ChatMessage[]): string {
  return createHash('sha256')
    .update(JSON.stringify(messages.slice(0, -1)))
    .digest('hex')
    .slice(0, 32);
}

export function completion(model: string, content: string) {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
}
