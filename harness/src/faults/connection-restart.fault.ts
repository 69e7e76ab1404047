/**
 * The connection factory's client across a server restart: while the server is down, commands fail with an error
 * within a bound (finite retries, no hang); once it is back, the same client works again without being recreated.
 */
import assert from 'node:assert/strict';
import { failuresOf, msUntilSucceeds } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const IN_FLIGHT = 5;

export default defineFaultScenario({
  id: 'connection-restart',
  workflow: 'connection',
  fault: 'restart',
  title: 'Standalone server restarts under a factory client',
  async run({ startServer, connect, prefix, note }) {
    const server = await startServer();
    const client = await connect(server);
    await client.set(`${prefix}:before`, 'v', 'EX', 60);

    await server.halt();
    const failed = await failuresOf(IN_FLIGHT, () => client.get(`${prefix}:before`), 15_000, 'GET while down');
    assert.equal(failed.length, IN_FLIGHT, 'every command sent while the server is down fails');
    for (const f of failed) {
      assert.match(f.error.message, /max retries|connection|ECONNREFUSED|closed/i, 'the error names the connection');
      note(`while down: ${f.error.message}`);
    }

    await server.restart();
    const recoverMs = await msUntilSucceeds(() => client.ping(), 10_000);
    await client.set(`${prefix}:after`, 'v2', 'EX', 60);
    assert.equal(await client.get(`${prefix}:after`), 'v2', 'the same client reads its write after the restart');
    const survived = await client.exists(`${prefix}:before`);
    if (!survived) note('keys written before the restart are gone: this private server has no persistence');
    return {
      numbers: {
        commandsWhileDown: IN_FLIGHT,
        errorsWhileDown: failed.length,
        slowestFailureMs: Math.round(Math.max(...failed.map((f) => f.ms))),
        recoverMs: Math.round(recoverMs),
        keysSurvived: survived,
      },
    };
  },
});
