/**
 * The products cache against a frozen Redis (SIGSTOP: the socket stays open, nothing answers). The cache's own
 * deadline turns each read into a miss answered by the origin (the write of that value runs after the answer and
 * gives up the same way), so a request costs at most one deadline plus the origin; after SIGCONT the cache serves
 * from Redis again.
 */
import { defineFaultScenario } from './scenario.ts';
import { msUntilCachingAgain, productsOnPrivateServer, readAllWhileAway } from './products-cache-setup.ts';

export default defineFaultScenario({
  id: 'products-cache-pause',
  workflow: 'products-cache',
  fault: 'pause',
  title: 'Cache answers from the origin while Redis is frozen',
  async run(ctx) {
    const { server, products, repository, redisErrors } = await productsOnPrivateServer(ctx);

    server.pause();
    let away: Awaited<ReturnType<typeof readAllWhileAway>>;
    try {
      away = await readAllWhileAway(products, repository);
    } finally {
      server.resume();
    }
    ctx.note(`while frozen, the cache absorbed: ${redisErrors[0]?.message}`);

    const recoverMs = await msUntilCachingAgain(products, '2');
    return {
      numbers: {
        requestsWhilePaused: away.requests,
        answeredFromOrigin: away.fromOrigin,
        errors: away.errors,
        slowestAnswerMs: away.slowestMs,
        redisErrorsAbsorbed: products.cache.stats().redisErrors,
        recoverMs: Math.round(recoverMs),
      },
    };
  },
});
