/**
 * One socket write per event-loop turn instead of one per command, for the rate limiter's decisions and the
 * cache's hit path. ioredis writes every command to its socket as it is called, and each write is a system call
 * that costs about as much client CPU as the rest of a decision, and several times what a cache hit costs besides
 * (measured with --cpu-prof: three quarters of a hit's client CPU at 50 in flight). Requests come in bursts (a
 * batch of replies resumes many requests in one turn), so sends are queued and go out together at the end of the
 * turn (process.nextTick, before any I/O), with the client's sockets corked meanwhile: Node hands them to the
 * kernel in one writev, and the server reads and answers them in one go.
 *
 * A send runs only when it is written, so whatever it starts then (a deadline) starts with the write: a stall
 * between the call and the end of the turn delays the command, it does not eat its time. A send must not throw:
 * the sends after it in the turn would not run.
 */
import type { Redis } from 'ioredis';
import { masters } from './cluster/nodes.ts';
import type { RedisClient } from './connection.ts';

type Stream = NonNullable<Redis['stream']>;

export class WriteCoalescer {
  readonly #client: RedisClient;
  #sends: (() => void)[] = [];

  constructor(client: RedisClient) {
    this.#client = client;
  }

  /** Queues `send` (which writes one command) for the end of this turn. */
  add(send: () => void): void {
    if (this.#sends.length === 0) process.nextTick(this.#flush);
    this.#sends.push(send);
  }

  /**
   * Writes what is queued now. An owner calls it before a command it sends directly, so that its own commands reach
   * the server in the order it was called (a queued read, then a write of the same key); commands that other code
   * sends on the client meanwhile may still go before the queued ones, as they would with ioredis's own automatic
   * pipelining.
   */
  flush(): void {
    if (this.#sends.length > 0) this.#flush();
  }

  readonly #flush = (): void => {
    const sends = this.#sends;
    this.#sends = [];
    if (sends.length === 0) return; // written early by `flush`
    if (sends.length === 1) {
      (sends[0] as () => void)();
      return;
    }
    // A cluster's command goes to its key's master: cork every master's socket (one not connected yet has none;
    // its commands wait in its queue for the connection anyway).
    const corked: Stream[] = [];
    for (const node of masters(this.#client)) {
      const stream = node.stream;
      if (stream && !stream.destroyed) {
        stream.cork();
        corked.push(stream);
      }
    }
    try {
      for (const send of sends) send();
    } finally {
      for (const stream of corked) stream.uncork();
    }
  };
}
