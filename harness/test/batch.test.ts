/**
 * The one batch module (packages/patterns/src/cluster/batch.ts) on every target: binary key names routed by their
 * bytes (a cluster answers MOVED to a decoded copy), replies in command order across nodes, a CROSSSLOT command
 * refused before it is sent, keyless commands, and transactions kept in one slot.
 */
import { randomBytes } from 'node:crypto';
import {
  command,
  keyless,
  keySlot,
  orThrow,
  sendBatch,
  sendTransaction,
  withKeys,
} from '@redis-agent-kit/patterns/cluster';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { clientFor, targets } from '../src/vitest/index.ts';

for (const t of targets()) {
  describe(`batch on ${t.name}`, () => {
    const prefix = `rak:batch:${randomBytes(4).toString('hex')}:`;

    it('writes and reads 300 binary-named keys spread over every slot, replies in order', async () => {
      const client = await clientFor(t);
      const keys = Array.from({ length: 300 }, (_, i) =>
        Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, 0xfe, i & 0xff, i >> 8])]),
      );
      const values = keys.map((_, i) => Buffer.from([0x80, i & 0xff, 0x00, 0xc3]));
      orThrow(
        await sendBatch(
          client,
          keys.map((key, i) => command('SET', key, values[i] as Buffer, 'EX', 60)),
          { batchSize: 64 },
        ),
      );
      const read = await sendBatch(
        client,
        keys.map((key) => command('GET', key)),
        { buffers: true, batchSize: 64 },
      );
      expect(read).toEqual(values);
      if (client instanceof Cluster) {
        // The slot we computed from bytes is the one the server uses.
        const node = client.nodes('master')[0];
        if (!node) throw new Error('no master');
        for (const key of keys.slice(0, 5)) expect(await node.call('CLUSTER', 'KEYSLOT', key)).toBe(keySlot(key));
      }
      const deleted = orThrow(
        await sendBatch(
          client,
          keys.map((key) => command('UNLINK', key)),
        ),
      );
      expect(deleted.every((n) => n === 1)).toBe(true);
    });

    it('answers a command whose keys span slots with its own CROSSSLOT Error on a cluster, without failing the others', async () => {
      const client = await clientFor(t);
      const replies = await sendBatch(client, [
        command('SET', `${prefix}a`, '1', 'EX', 60),
        withKeys('MGET', [`${prefix}a`, `${prefix}b`], [0, 1]),
        keyless('PING'),
      ]);
      expect(replies[0]).toBe('OK');
      // A standalone server serves every slot; a cluster gets a clear error instead of a MOVED loop.
      if (client instanceof Cluster) expect(String(replies[1])).toMatch(/CROSSSLOT/);
      else expect(replies[1]).toEqual(['1', null]);
      expect(replies[2]).toBe('PONG');
      await client.unlink(`${prefix}a`);
    });

    it('runs a transaction in one slot and reports the failing command', async () => {
      const client = await clientFor(t);
      const key = `${prefix}{tx}`;
      expect(await sendTransaction(client, [command('SET', key, 'x', 'EX', 60), command('STRLEN', key)])).toEqual([
        'OK',
        1,
      ]);
      await expect(sendTransaction(client, [command('INCR', key)])).rejects.toThrow(/not an integer/);
      const twoSlots = sendTransaction(client, [
        command('SET', `${prefix}p`, '1', 'EX', 60),
        command('SET', `${prefix}q`, '1', 'EX', 60),
      ]);
      if (client instanceof Cluster) await expect(twoSlots).rejects.toThrow(/CROSSSLOT/);
      else expect(await twoSlots).toEqual(['OK', 'OK']);
      await sendBatch(client, [
        command('UNLINK', key),
        command('UNLINK', `${prefix}p`),
        command('UNLINK', `${prefix}q`),
      ]);
    });
  });
}
