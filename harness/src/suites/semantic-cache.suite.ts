/**
 * Workflow 7a, the semantic cache for LLM answers: hits by similarity within one scope and never across scopes
 * (adversarial near-duplicates stored in the neighbouring scope), per-entry expiry with the vector-set element
 * removed by the bounded sweep of the write paths (a check never writes, even for a read-only ACL user), a steady stream of new prompts that levels off, invalidation
 * by entry and by partial scope, and concurrent near-identical misses sharing one upstream call. Valkey 8.1 has
 * neither vector sets nor search: the cache refuses, naming both.
 */
import assert from 'node:assert/strict';
import { CapabilityMissingError } from '@redis-agent-kit/patterns';
import {
  createSemanticCache,
  type SemanticCache,
  type SemanticCacheOptions,
} from '@redis-agent-kit/patterns/semantic-cache';
import { createHashingEmbedder } from '@redis-agent-kit/patterns/vector';
import { keysMatching } from '../matrix/shared-server.ts';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';
import { waitFor } from './job-queue.suite.ts';
import { asReadOnlyUser } from './read-only-acl.ts';

const embedder = createHashingEmbedder({ dim: 128 });

function cacheFor(ctx: SuiteContext, options: Partial<SemanticCacheOptions> = {}): SemanticCache {
  return createSemanticCache(ctx.client, {
    embedder,
    scopeFields: ['tenant', 'model'],
    prefix: ctx.prefix,
    capabilities: ctx.target.capabilities,
    ...options,
  });
}

const A = { tenant: 'acme', model: 'gpt-x' };
const B = { tenant: 'globex', model: 'gpt-x' };

export default defineSuite({
  id: 'semantic-cache',
  title: 'Semantic cache for LLM answers (vector sets, hard scopes, per-entry TTL)',
  checks: [
    {
      name: 'needs vector sets: stores and hits where the server has them, refuses naming vector sets and search where not',
      async run(ctx) {
        const cache = cacheFor(ctx);
        if (!ctx.target.capabilities.vectorSets) {
          await assert.rejects(cache.check('What is Redis?', { scope: A }), (error: unknown) => {
            assert.ok(error instanceof CapabilityMissingError);
            assert.equal(error.capability, 'vectorSets');
            assert.match(error.message, /vector sets \(VADD.*search \(FT\.SEARCH\)/);
            return true;
          });
          ctx.note('refused: no vector sets, no search');
          return;
        }
        await cache.store('What is Redis?', 'An in-memory data store.', { scope: A, metadata: { tokens: 7 } });
        const hit = await cache.check('what is redis', { scope: A });
        assert.ok(hit.hit, 'the same words, other case and punctuation, hit');
        assert.equal(hit.answer, 'An in-memory data store.');
        assert.deepEqual(hit.metadata, { tokens: 7 });
        assert.equal(hit.prompt, 'What is Redis?');
        assert.ok(hit.similarity >= cache.threshold && hit.similarity <= 1, `similarity ${hit.similarity}`);
        const miss = await cache.check('How do I bake sourdough bread at home?', { scope: A });
        assert.equal(miss.hit, false);
        ctx.note('vector set (Q8)');
      },
    },
    {
      name: 'scope is a hard filter: a near-duplicate in another tenant or model is never a hit',
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx);
        const prompt = 'What is the refund policy for annual plans?';
        await cache.store(prompt, 'acme: 30 days', { scope: A });
        // The identical prompt and near-duplicates, asked in every neighbouring scope.
        const variants = [
          prompt,
          'what is the refund policy for annual plans',
          'WHAT is the refund-policy for annual plans?!',
        ];
        const others = [
          B,
          { tenant: 'acme', model: 'gpt-y' },
          { tenant: 'acme ', model: 'gpt-x' },
          { tenant: 'ACME', model: 'gpt-x' },
        ];
        for (const scope of others) {
          for (const variant of [...variants, 'What is the refund policy for annual plan?']) {
            const answer = await cache.check(variant, { scope });
            assert.equal(answer.hit, false, `${JSON.stringify(scope)} must not see acme's entry for "${variant}"`);
          }
        }
        // Globex stores its own near-duplicate; each tenant keeps getting its own answer.
        await cache.store(variants[1] as string, 'globex: 14 days', { scope: B });
        for (const variant of variants) {
          const a = await cache.check(variant, { scope: A });
          const b = await cache.check(variant, { scope: B });
          assert.ok(a.hit && b.hit);
          assert.equal(a.answer, 'acme: 30 days');
          assert.equal(b.answer, 'globex: 14 days');
        }
        // A scope that leaves out a field, or adds one, is refused rather than widened.
        await assert.rejects(cache.check(prompt, { scope: { tenant: 'acme' } }), /Scope field "model" is missing/);
        await assert.rejects(cache.check(prompt, { scope: { ...A, user: 'x' } }), /"user" is not one of/);
      },
    },
    {
      name: 'per-entry TTL: an expired answer is a miss, the check writes nothing, the next store sweeps its element',
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx);
        await cache.store('Which port does Redis listen on?', '6379', { scope: A, ttlMs: 150 });
        await cache.store('Which port does Postgres listen on?', '5432', { scope: A, ttlMs: 60_000 });
        assert.equal(await cache.size({ scope: A }), 2);
        await waitFor(
          async () => !(await cache.check('Which port does Redis listen on?', { scope: A })).hit,
          10_000,
          'the short-lived answer expiring',
        );
        // A check never writes: the expired entry's element stays until a write path sweeps it.
        assert.equal(await cache.size({ scope: A }), 2);
        await cache.store('Which port does MySQL listen on?', '3306', { scope: A });
        assert.equal(await cache.size({ scope: A }), 2, 'the store swept the expired element');
        const kept = await cache.check('Which port does Postgres listen on?', { scope: A });
        assert.ok(kept.hit && kept.answer === '5432');
        // The same prompt stored again keeps its element (no second VADD) and serves the new answer.
        await cache.store('Which port does Postgres listen on?', '5433', { scope: A });
        assert.equal(await cache.size({ scope: A }), 2);
        const again = await cache.check('Which port does Postgres listen on?', { scope: A });
        assert.ok(again.hit && again.answer === '5433');
      },
    },
    {
      name: 'check as a user with the read-only ACL recipe, an expired entry nearest: a miss, no NOPERM, nothing removed',
      requires: ['vectorSets'],
      // ACL users are per node: one server only.
      topology: 'standalone',
      destructive: 'creates and deletes an ACL user',
      async run(ctx) {
        const cache = cacheFor(ctx);
        await cache.store('Is the deploy frozen today?', 'yes', { scope: A, ttlMs: 100 });
        await cache.store('Is the deploy frozen this week?', 'no', { scope: A, ttlMs: 60_000 });
        // Waited for without a check, so the reader's check is the first to meet the expired entry.
        const answerKeys = async () => (await keysMatching(ctx.client, `${ctx.prefix}:llm:*:a:*`)).length;
        await waitFor(async () => (await answerKeys()) === 1, 10_000, 'the short-lived answer expiring');
        const [expired, live] = await asReadOnlyUser(ctx.client, ctx.target, async (reader) => {
          const readOnly = cacheFor({ ...ctx, client: reader });
          return [
            await readOnly.check('Is the deploy frozen today?', { scope: A }),
            await readOnly.check('Is the deploy frozen this week?', { scope: A }),
          ];
        });
        assert.equal(expired?.hit, false);
        assert.ok(live?.hit && live.answer === 'no');
        assert.equal(await cache.size({ scope: A }), 2, 'nothing removed by the read');
      },
    },
    {
      // The set's TTL must cover its longest-lived entry, also when two first stores of a scope race.
      name: "a new scope's vector set outlives its longest entry when its first stores race with different TTLs",
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx);
        const DAY = 86_400_000;
        await Promise.all([
          cache.store('How long is a minute?', 'sixty seconds', { scope: A, ttlMs: 60_000 }),
          cache.store('How long is a day?', 'twenty-four hours', { scope: A, ttlMs: DAY }),
        ]);
        const vset = `${ctx.prefix}:llm:{${(await ctx.client.hkeys(`${ctx.prefix}:llm:scopes`))[0]}}:vset`;
        const left = await ctx.client.pttl(vset);
        // A minute's TTL would leave about 60,000 ms; a day's leaves almost all of it.
        assert.ok(left > DAY / 2, `the set expires in ${left} ms, before the day-long entry`);
        assert.equal((await cache.check('How long is a day?', { scope: A })).hit, true);
      },
    },
    {
      // invalidateEntry's FORGET runs between the store's bookkeeping and its VADD: the element must not outlive it.
      name: 'an entry invalidated while it is being stored leaves no element behind',
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx);
        await cache.store('Which port does Redis use?', '6379', { scope: A });
        await Promise.all([
          cache.store('Which port does Valkey use?', '6379 too', { scope: A }),
          cache.invalidateEntry('Which port does Valkey use?', { scope: A }),
        ]);
        assert.equal(await cache.size({ scope: A }), 1, 'only the entry that was not invalidated');
      },
    },
    {
      name: 'a steady stream of new prompts with a short TTL levels off (elements swept as they expire)',
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx, { ttlMs: 100, sweepBatch: 20 });
        const rounds = 8;
        const perRound = 150;
        const counts: number[] = [];
        const memory: number[] = [];
        // The scope's vector set, named from the registry of scopes (its one field is the scope id).
        const vset = async () => `${ctx.prefix}:llm:{${(await ctx.client.hkeys(`${ctx.prefix}:llm:scopes`))[0]}}:vset`;
        for (let round = 0; round < rounds; round++) {
          for (let i = 0; i < perRound; i++) {
            await cache.store(
              `question ${round} number ${i} about topic ${(round * perRound + i) * 7919}`,
              `answer ${i}`,
              { scope: A },
            );
          }
          counts.push(await cache.size({ scope: A }));
          memory.push(Number(await ctx.client.call('MEMORY', 'USAGE', await vset())));
          // Wait until this round's answers have expired (a hang guard, not a timing assertion).
          await waitFor(
            async () =>
              !(
                await cache.check(
                  `question ${round} number ${perRound - 1} about topic ${(round * perRound + perRound - 1) * 7919}`,
                  { scope: A },
                )
              ).hit,
            10_000,
            'the round expiring',
          );
        }
        ctx.note(
          `elements after each round of ${perRound}: ${counts.join(', ')}; vector set bytes: ${memory.join(', ')}`,
        );
        // Each store sweeps up to 20 expired entries, so a round of 150 clears the previous round's 150.
        for (const count of counts) assert.ok(count <= 2 * perRound, `element count ${count} stays within two rounds`);
        // Memory per element stays where it started, so with the count bounded the memory is too. (Comparing the
        // set's bytes alone failed on a cluster: a last round at two rounds' count held 2.6 times an early round's
        // bytes, at the same bytes per element.)
        const perElement = memory.map((bytes, i) => bytes / Math.max(1, counts[i] as number));
        const early = Math.max(...perElement.slice(0, 3));
        assert.ok(
          (perElement.at(-1) as number) <= 2 * early,
          `vector set bytes ${memory.join(', ')} for ${counts.join(', ')} elements: the bytes per element level off`,
        );
      },
    },
    {
      name: 'invalidate by entry, and by partial scope (one model) leaving the other models',
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx);
        const y = { tenant: 'acme', model: 'gpt-y' };
        for (const scope of [A, B, y]) {
          await cache.store('Summarise the release notes', `notes for ${scope.tenant}/${scope.model}`, { scope });
          await cache.store('Translate hello to French', 'bonjour', { scope });
        }
        assert.equal(await cache.invalidateEntry('Translate hello to French', { scope: A }), true);
        assert.equal(await cache.invalidateEntry('Translate hello to French', { scope: A }), false);
        assert.equal((await cache.check('Translate hello to French', { scope: A })).hit, false);
        assert.equal((await cache.check('Translate hello to French', { scope: B })).hit, true);
        assert.equal(await cache.invalidate({ model: 'gpt-x' }), 3, 'acme/gpt-x has 1 entry left, globex/gpt-x 2');
        assert.equal((await cache.check('Summarise the release notes', { scope: A })).hit, false);
        assert.equal((await cache.check('Summarise the release notes', { scope: B })).hit, false);
        const kept = await cache.check('Summarise the release notes', { scope: y });
        assert.ok(kept.hit && kept.answer === 'notes for acme/gpt-y');
        await assert.rejects(cache.invalidate({}), /at least one scope field/);
      },
    },
    {
      name: 'concurrent near-identical misses share one upstream call; another scope gets its own',
      requires: ['vectorSets'],
      async run(ctx) {
        const cache = cacheFor(ctx);
        let calls = 0;
        let release = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const load = async () => {
          const call = ++calls;
          await gate;
          return `answer ${call}`;
        };
        const prompts = [
          'How do I reset my password?',
          'how do I reset my password',
          'How do I reset my password??',
          'HOW DO I RESET MY PASSWORD',
        ];
        const pending = [
          ...prompts.map((prompt) => cache.answer(prompt, { scope: A }, load)),
          cache.answer(prompts[0] as string, { scope: B }, load),
        ];
        await waitFor(() => calls === 2, 10_000, 'both scopes calling upstream');
        release();
        const results = await Promise.all(pending);
        assert.equal(calls, 2, 'one call for acme, one for globex');
        const acme = results.slice(0, prompts.length);
        assert.equal(new Set(acme.map((r) => r.answer)).size, 1);
        assert.deepEqual(acme.map((r) => r.source).sort(), ['shared', 'shared', 'shared', 'upstream']);
        assert.notEqual(results.at(-1)?.answer, acme[0]?.answer);
        // Stored by the one call: a later ask is a hit from Redis.
        const later = await cache.answer('how do i reset my password?', { scope: A }, load);
        assert.equal(later.source, 'hit');
        assert.equal(calls, 2);
      },
    },
  ],
});
