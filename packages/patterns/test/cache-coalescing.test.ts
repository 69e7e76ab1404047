import { describe, expect, it } from 'vitest';
import { Recomputations } from '../src/cache/coalescing.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('cache coalescing state (Recomputations)', () => {
  it('shares a running recomputation with every reader, and a settled one only with reads that started before', async () => {
    const recomputations = new Recomputations(60_000);
    const running = deferred<string>();
    const readBefore = recomputations.readStarted();
    recomputations.start('k', running.promise);
    expect(recomputations.shared('k', recomputations.readStarted())).toBe(running.promise);
    expect(recomputations.shared('other', readBefore)).toBeUndefined();
    running.resolve('v');
    await recomputations.idle();
    expect(recomputations.shared('k', readBefore)).toBe(running.promise);
    expect(recomputations.shared('k', recomputations.readStarted())).toBeUndefined();
  });

  it('forget: the recomputation may no longer write and is not shared', async () => {
    const recomputations = new Recomputations(60_000);
    const first = deferred<string>();
    const readAt = recomputations.readStarted();
    recomputations.start('k', first.promise);
    expect(recomputations.mayWrite('k', first.promise, readAt)).toBe(true);
    recomputations.forget('k');
    expect(recomputations.mayWrite('k', first.promise, readAt)).toBe(false);
    const second = deferred<string>();
    const secondReadAt = recomputations.readStarted();
    recomputations.start('k', second.promise);
    // The forgotten one settling must not drop the newer one.
    first.resolve('old');
    await first.promise;
    expect(recomputations.mayWrite('k', second.promise, secondReadAt)).toBe(true);
    expect(recomputations.shared('k', 0)).toBe(second.promise);
    second.resolve('new');
    await recomputations.idle();
    expect(recomputations.mayWrite('k', second.promise, secondReadAt)).toBe(false);
  });

  it('idle waits for recomputations started while it waits', async () => {
    const recomputations = new Recomputations(60_000);
    const first = deferred<void>();
    const second = deferred<void>();
    recomputations.start('a', first.promise);
    let idle = false;
    const waiting = recomputations.idle().then(() => {
      idle = true;
    });
    recomputations.start('b', second.promise);
    first.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(idle).toBe(false);
    second.resolve();
    await waiting;
    expect(idle).toBe(true);
  });

  it('a recomputation stays shared until its done promise settles (its write), not just its value', async () => {
    const recomputations = new Recomputations(0);
    const readAt = recomputations.readStarted();
    const value = deferred<string>();
    const written = deferred<void>();
    recomputations.start('k', value.promise, written.promise);
    value.resolve('v');
    await value.promise;
    expect(recomputations.shared('k', recomputations.readStarted())).toBe(value.promise);
    expect(recomputations.mayWrite('k', value.promise, readAt)).toBe(true);
    written.resolve();
    await recomputations.idle();
    expect(recomputations.mayWrite('k', value.promise, readAt)).toBe(false);
  });

  it('a key set or deleted while the read that found it missing was on its way: that recomputation may not write', () => {
    const recomputations = new Recomputations(60_000);
    const readAt = recomputations.readStarted();
    recomputations.forget('k'); // set() while the read is in flight
    const late = deferred<string>();
    recomputations.start('k', late.promise); // the read answered "missing": the recomputation starts after the set
    expect(recomputations.mayWrite('k', late.promise, readAt)).toBe(false);
    const after = deferred<string>();
    recomputations.forget('k');
    const afterReadAt = recomputations.readStarted();
    recomputations.start('k', after.promise);
    expect(recomputations.mayWrite('k', after.promise, afterReadAt)).toBe(true);
  });

  it('once the oldest notes of changes are dropped, reads older than them may not write (a lost write, never a stale one)', () => {
    const recomputations = new Recomputations(60_000);
    const readAt = recomputations.readStarted();
    for (let i = 0; i < 1001; i++) recomputations.forget(`other:${i}`);
    const running = deferred<string>();
    recomputations.start('k', running.promise);
    expect(recomputations.mayWrite('k', running.promise, readAt)).toBe(false);
    expect(recomputations.mayWrite('k', running.promise, recomputations.readStarted())).toBe(true);
  });
});
