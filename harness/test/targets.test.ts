import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalCluster } from '../src/targets/local-cluster.ts';
import { LocalServer } from '../src/targets/local-server.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local servers', () => {
  it('stopping a server and a cluster leaves none of their processes behind', async () => {
    const server = await LocalServer.start({ kind: 'valkey' });
    const cluster = await LocalCluster.start('redis');
    const pids = [server.pid as number, ...cluster.pids];
    expect(pids).toHaveLength(7);
    expect(pids.every(alive)).toBe(true);
    await server.stop();
    await cluster.stop();
    expect(pids.filter(alive)).toEqual([]);
  });

  it('Ctrl-C on `npm run servers` stops every server it started', async () => {
    const cli = spawn(process.execPath, ['--conditions=source', join(import.meta.dirname, '../src/targets/cli.ts')], {
      env: { ...process.env, RAK_PROVIDER: 'local', RAK_TARGETS: 'redis-8,redis-cluster' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const pids = await new Promise<number[]>((resolve, reject) => {
      cli.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        const m = /running \(pids (\[[\d,]+\])\)/.exec(output);
        if (m?.[1]) resolve(JSON.parse(m[1]) as number[]);
      });
      cli.once('exit', (code) => reject(new Error(`servers CLI exited ${code}: ${output}`)));
    });
    expect(pids).toHaveLength(7);
    expect(pids.every(alive)).toBe(true);
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    cli.kill('SIGINT');
    await exited;
    expect(pids.filter(alive)).toEqual([]);
  });
});
