import { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTimeoutError, withinDeadline } from '../src/audit/deadline.ts';
import { Pacer } from '../src/audit/pacer.ts';

describe('audit pacer', () => {
  it('sizes slices so one command stays near its target server time', () => {
    const pacer = new Pacer({ targetMs: 0.25, initial: 32, min: 4, max: 512 });
    expect(pacer.size).toBe(32);
    // 32 keys in 0.064 ms: 2 µs a key, so 125 keys fit in 0.25 ms; growth is at most doubling per step.
    pacer.record(32, 0.064);
    expect(pacer.size).toBe(64);
    pacer.record(64, 0.128);
    expect(pacer.size).toBe(125);
  });

  it('shrinks at once after a slow command, and never below min or above max', () => {
    const pacer = new Pacer({ targetMs: 0.25, initial: 100, min: 4, max: 512 });
    pacer.record(100, 0.2);
    expect(pacer.size).toBe(125);
    // Big collections: 50 µs a key. The next slice fits the slow cost, not the running average.
    pacer.record(125, 6.25);
    expect(pacer.size).toBe(5);
    pacer.record(5, 5);
    expect(pacer.size).toBe(4);
    for (let i = 0; i < 20; i++) pacer.record(pacer.size, 0);
    expect(pacer.size).toBe(512);
  });
});

describe('audit command deadline', () => {
  // An echo server on its own thread, so it answers while this thread's event loop is stalled.
  let echo: Worker;
  let port: number;
  beforeAll(async () => {
    echo = new Worker(
      `const { createServer } = require('node:net');
       const { parentPort } = require('node:worker_threads');
       const server = createServer((socket) => { socket.on('error', () => {}); socket.on('data', (d) => socket.write(d)); });
       server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
      { eval: true },
    );
    port = await new Promise<number>((resolve) => echo.once('message', resolve));
  });
  afterAll(() => echo.terminate());

  it('rejects with an error naming what got no answer', async () => {
    const never = new Promise(() => {});
    await expect(withinDeadline(never, 20, () => '127.0.0.1:1: SCAN')).rejects.toThrow(
      new AuditTimeoutError('127.0.0.1:1: SCAN got no answer within 20 ms: the server may be frozen or overloaded'),
    );
  });

  it('says an ioredis commandTimeout the same way', async () => {
    const timedOut = Promise.reject(new Error('Command timed out'));
    await expect(withinDeadline(timedOut, 1000, () => 'node: TYPE')).rejects.toBeInstanceOf(AuditTimeoutError);
  });

  it('keeps an answer that arrived while the event loop was stalled past the deadline', async () => {
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
    try {
      const answer = new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))));
      const bounded = withinDeadline(answer, 5, () => 'echo');
      socket.write('pong');
      // A stall longer than the deadline: the echo arrives during it, the timer is due when it ends.
      const until = performance.now() + 100;
      while (performance.now() < until) {
        // busy
      }
      await expect(bounded).resolves.toBe('pong');
    } finally {
      socket.destroy();
    }
  });
});
