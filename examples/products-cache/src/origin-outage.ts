/**
 * A simulated outage of the data source, so you can watch the cache serve `STALE`: with
 * `ORIGIN_FAILS_AFTER_SECONDS=N`, every repository call made N seconds or more after start fails. Values cached
 * before then are served fresh until their TTL, then `STALE` for up to `CACHE_STALE_SECONDS`, then the API answers
 * 503. For demonstrations only: leave it unset in production.
 */
import type { ProductRepository } from './repository.ts';

export class SimulatedOutageError extends Error {
  override readonly name = 'SimulatedOutageError';
}

/** `repository`, failing every call once `now()` reaches `failsAt` (epoch ms). */
export function failingFrom(
  repository: ProductRepository,
  failsAt: number,
  now: () => number = Date.now,
): ProductRepository {
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      now() >= failsAt
        ? Promise.reject(new SimulatedOutageError('the data source is down (simulated by ORIGIN_FAILS_AFTER_SECONDS)'))
        : call(...args);
  return {
    ids: guarded(() => repository.ids()),
    get: guarded((id) => repository.get(id)),
    getMany: guarded((ids) => repository.getMany(ids)),
    create: guarded((input) => repository.create(input)),
    update: guarded((id, input) => repository.update(id, input)),
    delete: guarded((id) => repository.delete(id)),
  };
}
