/**
 * Working memory: one ordered message log per session, a list under `<prefix>:wm:{<session>}:log` with its token
 * total beside it. An append is one script: push, add the tokens, drop the oldest messages while the total is over
 * the budget (or the log over maxMessages), and renew the session's TTL. The dropped messages come back to the
 * caller; with a `summarise` callback they are replaced by one summary message at the head of the log.
 */
import { withTimeout } from '../timeout.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { LuaScript } from '../lua-script.ts';

export interface Message {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Counted by `countTokens` when appended. */
  tokens: number;
  /** Client time (ms) of the append. */
  at: number;
}

export interface WorkingMemoryOptions {
  /** First part of every key. Default `memory`. */
  prefix?: string;
  /** Tokens a session keeps; the oldest messages go first. Default 4000. */
  tokenBudget?: number;
  /** Messages a session keeps at most. Default 500. */
  maxMessages?: number;
  /** Largest message accepted, in UTF-8 bytes of its content. Default 16 KiB. */
  maxMessageBytes?: number;
  /** A session idle this long is gone. Default 24 h. */
  ttlMs?: number;
  /** Tokens of a text. Default: one per 4 characters, rounded up (plug in a real tokenizer for exact budgets). */
  countTokens?: (text: string) => number;
  /** Turns the trimmed oldest messages into one summary text, kept at the head of the log. Default: none (they are dropped). */
  summarise?: (dropped: Message[]) => Promise<string>;
  /** Deadline of every Redis command. Default 5 s. */
  commandTimeoutMs?: number;
}

export const WORKING_MEMORY_DEFAULTS = {
  prefix: 'memory',
  tokenBudget: 4000,
  maxMessages: 500,
  maxMessageBytes: 16 * 1024,
  ttlMs: 24 * 60 * 60 * 1000,
  commandTimeoutMs: 5000,
} as const;

export interface WorkingMemory {
  /** Appends a message; returns the messages trimmed to stay within the budget (already summarised if configured). */
  append(
    session: string,
    message: { role: Message['role']; content: string },
  ): Promise<{ trimmed: Message[]; tokens: number }>;
  /** The session's messages, oldest first (at most maxMessages), and their token total. */
  get(session: string): Promise<{ messages: Message[]; tokens: number }>;
  clear(session: string): Promise<void>;
}

export class MemoryTimeoutError extends Error {
  override readonly name = 'MemoryTimeoutError';
}

/**
 * KEYS log, total; ARGV message json, tokens, budget, maxMessages, ttl ms, where. `tail` appends a message; `head`
 * puts a summary first, trimming the oldest messages after it (never the summary itself) to make room.
 */
const APPEND = new LuaScript(`
local head = ARGV[6] == 'head'
if not head then redis.call('RPUSH', KEYS[1], ARGV[1]) end
local total = redis.call('INCRBY', KEYS[2], ARGV[2])
local extra = head and 1 or 0
local floor = head and 0 or 1
local dropped = {}
while (total > tonumber(ARGV[3]) or redis.call('LLEN', KEYS[1]) + extra > tonumber(ARGV[4])) and redis.call('LLEN', KEYS[1]) > floor do
  local m = redis.call('LPOP', KEYS[1])
  total = redis.call('DECRBY', KEYS[2], cjson.decode(m).tokens)
  dropped[#dropped + 1] = m
end
if head then redis.call('LPUSH', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {total, dropped}
`);

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const SESSION = /^[\w.:-]{1,200}$/;

export function checkSession(session: string): string {
  if (typeof session !== 'string' || !SESSION.test(session)) {
    throw new RangeError('A session id is 1 to 200 letters, digits, _, ., : or -');
  }
  return session;
}

export function createWorkingMemory(client: RedisClient, options: WorkingMemoryOptions = {}): WorkingMemory {
  const s = { ...WORKING_MEMORY_DEFAULTS, ...options };
  const countTokens = options.countTokens ?? ((text: string) => Math.ceil(text.length / 4));
  const keys = (session: string) => {
    const tag = `${s.prefix}:wm:{${checkSession(session)}}`;
    return [`${tag}:log`, `${tag}:tokens`] as const;
  };
  const send = <T>(promise: Promise<T>, what: string) =>
    withTimeout(
      promise,
      s.commandTimeoutMs,
      () => new MemoryTimeoutError(`working memory ${what}: Redis did not answer within ${s.commandTimeoutMs} ms`),
    ).catch((error: unknown) => {
      throw error instanceof MemoryTimeoutError ? error : redactClientError(client, error);
    });

  async function push(
    session: string,
    message: Message,
    where: 'tail' | 'head',
  ): Promise<{ trimmed: Message[]; tokens: number }> {
    const [total, dropped] = (await send(
      APPEND.run(client, keys(session), [
        JSON.stringify(message),
        message.tokens,
        s.tokenBudget,
        s.maxMessages,
        s.ttlMs,
        where,
      ]),
      'append',
    )) as [number, string[]];
    return { tokens: Number(total), trimmed: dropped.map((m) => JSON.parse(m) as Message) };
  }

  return {
    async append(session, { role, content }) {
      if (!ROLES.has(role)) throw new RangeError(`role must be one of ${[...ROLES].join(', ')}`);
      if (typeof content !== 'string' || content.length === 0)
        throw new RangeError('content must be a non-empty string');
      const bytes = Buffer.byteLength(content);
      if (bytes > s.maxMessageBytes)
        throw new RangeError(`The message is ${bytes} bytes, over maxMessageBytes ${s.maxMessageBytes}`);
      const result = await push(session, { role, content, tokens: countTokens(content), at: Date.now() }, 'tail');
      if (!options.summarise || result.trimmed.length === 0) return result;
      const summary = (await options.summarise(result.trimmed)).slice(0, s.maxMessageBytes);
      if (!summary) return result;
      const after = await push(
        session,
        { role: 'system', content: summary, tokens: countTokens(summary), at: Date.now() },
        'head',
      );
      return { trimmed: [...result.trimmed, ...after.trimmed], tokens: after.tokens };
    },
    async get(session) {
      const [log, total] = keys(session);
      const [messages, tokens] = await send(
        Promise.all([client.lrange(log, -s.maxMessages, -1), client.get(total)]),
        'get',
      );
      return { messages: messages.map((m) => JSON.parse(m) as Message), tokens: Number(tokens ?? 0) };
    },
    async clear(session) {
      await send(client.unlink(...keys(session)), 'clear');
    },
  };
}
