/** The job queue's pure logic: the stall-safe deadline, backoff, payload codec, partition choice and key layout. */
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { type Socket, connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { keySlot } from '../src/cluster/key-slot.ts';
import { backoffDelay, MAX_BACKOFF_MS } from '../src/queue/backoff.ts';
import { decodePayload, encodePayload, errorText, fieldArgs, parseFields } from '../src/queue/codec.ts';
import { bounded, QueueTimeoutError } from '../src/queue/deadline.ts';
import { partitionKeys, partitionOf } from '../src/queue/keys.ts';
import { MAX_ERROR_CHARS } from '../src/queue/options.ts';
import { streamReplies } from '../src/queue/worker.ts';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop stalls, as under a long synchronous handler
  }
}

describe('bounded (deadline)', () => {
  it('a reply that arrived during an event-loop stall wins over the deadline that also passed', async () => {
    // The answering server runs in another process, so it answers while this one is stalled.
    const server = spawn(process.execPath, [
      '-e',
      `require('net').createServer((s) => { s.on('error', () => {}); s.on('data', () => s.write('pong')); })
        .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
    ]);
    try {
      const [line] = (await once(server.stdout, 'data')) as [Buffer];
      const socket: Socket = tcpConnect(Number(line.toString().trim()), '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      const reply = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
      const answer = bounded(reply, 20, 'ping');
      socket.write('ping');
      // The reply arrives within a millisecond or so, but the loop is stalled past the 20 ms deadline: when it runs
      // again the timer is due and the reply sits in the socket. A plain race would call this a timeout.
      busyWait(150);
      await expect(answer).resolves.toBe('pong');
      socket.destroy();
    } finally {
      server.kill();
    }
  });

  it('rejects with QueueTimeoutError when nothing arrives, and passes errors through', async () => {
    await expect(bounded(new Promise(() => {}), 10, 'read')).rejects.toBeInstanceOf(QueueTimeoutError);
    await expect(bounded(Promise.reject(new Error('NOGROUP')), 1000, 'read')).rejects.toThrow('NOGROUP');
  });
});

describe('backoffDelay', () => {
  it('doubles from delayMs up to maxDelayMs, is fixed or custom when asked, and stays within 1 ms .. MAX_BACKOFF_MS', () => {
    const exp = { type: 'exponential', delayMs: 100, maxDelayMs: 1000 } as const;
    expect([1, 2, 3, 4, 5, 9].map((d) => backoffDelay(exp, d))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay({ type: 'fixed', delayMs: 250 }, 7)).toBe(250);
    expect(backoffDelay((d) => d * 10, 3)).toBe(30);
    expect(backoffDelay(() => Number.NaN, 1)).toBe(1);
    expect(backoffDelay({ type: 'exponential', delayMs: 1000 }, 5000)).toBe(MAX_BACKOFF_MS);
  });
});

describe('codec', () => {
  it('keeps raw bytes raw and JSON as JSON, and refuses what has no JSON form or is too large', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xc3]);
    const raw = encodePayload(bytes, 10);
    expect(raw).toEqual({ bytes, raw: true });
    expect(encodePayload({ a: 'é' }, 100)).toEqual({ bytes: Buffer.from('{"a":"é"}'), raw: false });
    expect(() => encodePayload(undefined, 100)).toThrow(TypeError);
    expect(() => encodePayload('x'.repeat(20), 10)).toThrow(/exceeds the 10-byte limit/);
  });

  it('round-trips a job through stream fields, including attempts and the last error', () => {
    const job = {
      id: 'j-1',
      payload: Buffer.from([1, 2, 255]),
      raw: true,
      high: true,
      previousDeliveries: 2,
      lastError: 'Error: x',
    };
    const flat = fieldArgs(job).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))));
    const parsed = parseFields(flat);
    expect(parsed).toEqual(job);
    expect(decodePayload(parsed)).toEqual(Buffer.from([1, 2, 255]));
    expect(() => parseFields([Buffer.from('x'), Buffer.from('y')])).toThrow(/not a job entry/);
  });

  it('cuts long errors by code point, never inside a surrogate pair', () => {
    const text = errorText(new Error('🙂'.repeat(MAX_ERROR_CHARS)));
    expect(Array.from(text)).toHaveLength(MAX_ERROR_CHARS);
    expect(Buffer.from(text).toString()).toBe(text);
  });
});

describe('partitions and keys', () => {
  it('an id always maps to the same partition, and ids spread over all of them', () => {
    expect(partitionOf('order-42', 8)).toBe(partitionOf('order-42', 8));
    const used = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(`job-${i}`, 8)));
    expect(used.size).toBe(8);
  });

  it("every key of a partition hashes to one slot, whatever the job id's bytes", () => {
    const keys = partitionKeys('queue', 'emails', 3);
    const slots = new Set(
      [keys.stream, keys.delayed, keys.delayedJobs, keys.dead, keys.id('{other}'), keys.id('é')].map(keySlot),
    );
    expect(slots.size).toBe(1);
  });
});

describe('streamReplies', () => {
  it('reads the RESP2 and the RESP3 shape of a two-stream XREADGROUP reply', () => {
    const entry: [Buffer, Buffer[]] = [Buffer.from('1-0'), [Buffer.from('p'), Buffer.from('1')]];
    const [high, normal] = [Buffer.from('q:{a:0}:jobs:high'), Buffer.from('q:{a:0}:jobs')];
    const expected = [
      [high, [entry]],
      [normal, []],
    ];
    expect(
      streamReplies([
        [high, [entry]],
        [normal, []],
      ]),
    ).toEqual(expected);
    expect(streamReplies([high, [entry], normal, []])).toEqual(expected);
    expect(streamReplies(null)).toEqual([]);
  });
});
