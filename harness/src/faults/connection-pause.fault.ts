/**
 * The connection factory's client against a frozen server (SIGSTOP: the socket stays open, nothing answers).
 * With `commandTimeoutMs` commands fail within the timeout and the client works again after SIGCONT, with every
 * reply matched to its own command. Without it (the factory's default) a command waits for as long as the freeze
 * lasts: recorded, since that is what an application gets unless it sets a timeout.
 */
import assert from 'node:assert/strict';
import { failuresOf, msUntilSucceeds, settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const COMMAND_TIMEOUT_MS = 500;
const IN_FLIGHT = 3;

export default defineFaultScenario({
  id: 'connection-pause',
  workflow: 'connection',
  fault: 'pause',
  title: 'Standalone server frozen (SIGSTOP) then resumed',
  async run({ startServer, connect, prefix, note }) {
    const server = await startServer();
    const client = await connect(server, { commandTimeoutMs: COMMAND_TIMEOUT_MS });
    const untimed = await connect(server);
    const key = `${prefix}:k`;
    await client.set(key, 'v', 'EX', 60);

    server.pause();
    const untimedReply = untimed.get(key);
    untimedReply.catch(() => {}); // awaited below; never an unhandled rejection if the scenario fails first
    let untimedAnsweredWhilePaused: boolean;
    let failed: { ms: number; error: Error }[];
    try {
      failed = await failuresOf(IN_FLIGHT, () => client.get(key), 10_000, 'GET while paused');
      assert.equal(failed.length, IN_FLIGHT, 'every command with a timeout fails while the server is frozen');
      for (const f of failed) assert.match(f.error.message, /timed out/i, 'the error says the command timed out');
      note(`while paused, with commandTimeoutMs ${COMMAND_TIMEOUT_MS}: ${failed[0]?.error.message}`);
      const early = await settleWithin(
        Promise.race([untimedReply, new Promise((r) => setTimeout(r, 1000, 'pending'))]),
        5000,
        'untimed GET',
      );
      untimedAnsweredWhilePaused = early.ok && early.value !== 'pending';
    } finally {
      server.resume();
    }

    const recoverMs = await msUntilSucceeds(async () => assert.equal(await client.get(key), 'v'), 10_000);
    const late = await settleWithin(untimedReply, 10_000, 'the untimed GET after resume');
    assert.ok(late.ok && late.value === 'v', 'the client without a timeout gets its reply once the server resumes');
    if (!untimedAnsweredWhilePaused)
      note('without commandTimeoutMs (the factory default) a command waits for as long as the server is frozen');

    // Replies to the timed-out commands arrive after the resume; each later command must still get its own reply.
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
    await Promise.all(values.map((v, i) => client.set(`${key}:${i}`, v, 'EX', 60)));
    assert.deepEqual(await Promise.all(values.map((_, i) => client.get(`${key}:${i}`))), values);
    return {
      numbers: {
        commandsWhilePaused: IN_FLIGHT,
        timeoutsWhilePaused: failed.length,
        slowestFailureMs: Math.round(Math.max(...failed.map((f) => f.ms))),
        recoverMs: Math.round(recoverMs),
        untimedAnsweredWhilePaused: untimedAnsweredWhilePaused ? 1 : 0,
      },
    };
  },
});
