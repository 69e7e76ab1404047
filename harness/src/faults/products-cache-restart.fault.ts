/**
 * The products cache (examples/products-cache over packages/patterns/src/cache) while its Redis is stopped and
 * started again: reads keep answering with the origin's values within the cache's bound (the stale copy lives in
 * the stopped Redis, so the origin answers), a write reports that it could not invalidate, and once Redis is back
 * the cache stores and serves values again without being recreated.
 */
import assert from 'node:assert/strict';
import { defineFaultScenario } from './scenario.ts';
import { msUntilCachingAgain, productsOnPrivateServer, readAllWhileAway } from './products-cache-setup.ts';

export default defineFaultScenario({
  id: 'products-cache-restart',
  workflow: 'products-cache',
  fault: 'restart',
  title: 'Cache answers from the origin while Redis restarts',
  async run(ctx) {
    const { server, products, repository, redisErrors, warnings } = await productsOnPrivateServer(ctx);

    await server.halt();
    const away = await readAllWhileAway(products, repository);
    ctx.note(`while stopped, the cache absorbed: ${redisErrors[0]?.message}`);
    const update = await products.update('1', {
      name: 'Stainless steel kettle 1.7 l',
      category: 'kitchen',
      price: 42,
      currency: 'EUR',
      stock: 20,
    });
    assert.equal(update.invalidated, false, 'a write while Redis is stopped says it could not invalidate');
    assert.match(warnings[0] ?? '', /Could not delete .*expire by their TTL/, 'and warns what that means');

    await server.restart();
    const recoverMs = await msUntilCachingAgain(products, '1');
    assert.equal(
      (await products.get('1')).value?.price,
      42,
      'after the restart the cache answers with the updated product (the old entry died with the unpersisted server)',
    );
    const stats = products.cache.stats();
    return {
      numbers: {
        requestsWhileDown: away.requests,
        answeredFromOrigin: away.fromOrigin,
        errors: away.errors,
        slowestAnswerMs: away.slowestMs,
        redisErrorsAbsorbed: stats.redisErrors,
        recoverMs: Math.round(recoverMs),
      },
    };
  },
});
