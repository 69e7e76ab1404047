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

  it('forget: the recomputation no longer owns the key (so it does not write) and is not shared', async () => {
    const recomputations = new Recomputations(60_000);
    const first = deferred<string>();
    recomputations.start('k', first.promise);
    expect(recomputations.owns('k', first.promise)).toBe(true);
    recomputations.forget('k');
    expect(recomputations.owns('k', first.promise)).toBe(false);
    const second = deferred<string>();
    recomputations.start('k', second.promise);
    // The forgotten one settling must not drop the newer one.
    first.resolve('old');
    await first.promise;
    expect(recomputations.owns('k', second.promise)).toBe(true);
    expect(recomputations.shared('k', 0)).toBe(second.promise);
    second.resolve('new');
    await recomputations.idle();
    expect(recomputations.owns('k', second.promise)).toBe(false);
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
    const value = deferred<string>();
    const written = deferred<void>();
    recomputations.start('k', value.promise, written.promise);
    value.resolve('v');
    await value.promise;
    expect(recomputations.shared('k', recomputations.readStarted())).toBe(value.promise);
    expect(recomputations.owns('k', value.promise)).toBe(true);
    written.resolve();
    await recomputations.idle();
    expect(recomputations.owns('k', value.promise)).toBe(false);
  });
});
