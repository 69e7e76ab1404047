/**
 * Workflow 7b, agent memory: working memory per session (ordered log, token budget trimming the oldest or
 * summarising them through a callback, TTL per session, a cap on message size) on every target, and long-term
 * memory on vector sets (de-duplication by similarity, recall scoped to user and namespace that never crosses
 * scopes, topic filters, recency weighting, forget by id and by filter, expiry swept by writes while recall never
 * writes, even for a read-only ACL user, de-duplication under concurrent remembers, and an update that never
 * shortens a memory's life). Valkey 8.1 refuses
 * long-term memory, naming vector sets and search.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CapabilityMissingError, closeClient, connect } from '@redis-agent-kit/patterns';
import { createLongTermMemory, createWorkingMemory, type LongTermMemory } from '@redis-agent-kit/patterns/memory';
import { createHashingEmbedder, toFp32Blob } from '@redis-agent-kit/patterns/vector';
import { keysMatching } from '../matrix/shared-server.ts';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';
import { targetConnection } from '../targets/describe.ts';
import { asReadOnlyUser } from './read-only-acl.ts';

const embedder = createHashingEmbedder({ dim: 128 });
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The hash-tagged key prefix of a user's default namespace. */
function scopeTag(prefix: string, user: string): string {
  const id = createHash('sha256')
    .update(JSON.stringify([user, 'default']))
    .digest('hex')
    .slice(0, 32);
  return `${prefix}:ltm:{${id}}`;
}

function longTerm(ctx: SuiteContext): LongTermMemory {
  return createLongTermMemory(ctx.client, { embedder, prefix: ctx.prefix, capabilities: ctx.target.capabilities });
}

export default defineSuite({
  id: 'agent-memory',
  title: 'Agent memory: working memory per session, long-term memory on vector sets',
  checks: [
    {
      name: 'working memory keeps order, trims the oldest over the token budget, caps message size, expires the session',
      async run(ctx) {
        const memory = createWorkingMemory(ctx.client, {
          prefix: ctx.prefix,
          tokenBudget: 10,
          ttlMs: 60_000,
          maxMessageBytes: 100,
          countTokens: (t) => t.length,
        });
        await memory.append('s1', { role: 'user', content: 'abcd' });
        await memory.append('s1', { role: 'assistant', content: 'efgh' });
        const { trimmed, tokens } = await memory.append('s1', { role: 'user', content: 'ijk' });
        assert.deepEqual(
          trimmed.map((m) => m.content),
          ['abcd'],
          'the oldest goes first',
        );
        assert.equal(tokens, 7);
        const got = await memory.get('s1');
        assert.deepEqual(
          got.messages.map((m) => [m.role, m.content]),
          [
            ['assistant', 'efgh'],
            ['user', 'ijk'],
          ],
        );
        assert.equal((await memory.get('s2')).messages.length, 0, 'sessions are separate');
        await assert.rejects(
          memory.append('s1', { role: 'user', content: 'x'.repeat(101) }),
          /over maxMessageBytes 100/,
        );
        await assert.rejects(memory.append('bad session!', { role: 'user', content: 'x' }), /session id/);
        const ttl = await ctx.client.pttl(`${ctx.prefix}:wm:{s1}:log`);
        assert.ok(ttl > 0 && ttl <= 60_000, `the session has a TTL (${ttl})`);
        const short = createWorkingMemory(ctx.client, { prefix: ctx.prefix, ttlMs: 50 });
        await short.append('s3', { role: 'user', content: 'hello' });
        for (let i = 0; i < 200 && (await short.get('s3')).messages.length > 0; i++)
          await new Promise((r) => setTimeout(r, 20));
        assert.equal((await short.get('s3')).messages.length, 0, 'an idle session expires');
      },
    },
    {
      name: 'working memory summarises what it trims through the callback',
      async run(ctx) {
        const seen: string[][] = [];
        const memory = createWorkingMemory(ctx.client, {
          prefix: ctx.prefix,
          tokenBudget: 12,
          countTokens: (t) => t.length,
          summarise: async (dropped) => {
            seen.push(dropped.map((m) => m.content));
            return `S${dropped.length}`;
          },
        });
        for (const content of ['aaaa', 'bbbb', 'cccc', 'dddd']) await memory.append('s', { role: 'user', content });
        // dddd pushes the total to 16: aaaa is trimmed and summarised; the 2-token summary then makes bbbb go.
        assert.deepEqual(seen, [['aaaa']]);
        const { messages, tokens } = await memory.get('s');
        assert.deepEqual(
          messages.map((m) => [m.role, m.content]),
          [
            ['system', 'S1'],
            ['user', 'cccc'],
            ['user', 'dddd'],
          ],
        );
        assert.ok(tokens <= 12);
      },
    },
    {
      name: 'long-term memory needs vector sets: refused naming vector sets and search where missing',
      async run(ctx) {
        const memory = longTerm(ctx);
        if (ctx.target.capabilities.vectorSets) {
          const { id } = await memory.remember('The user prefers dark mode', { user: 'u1' });
          assert.equal((await memory.recall('dark mode', { user: 'u1' }))[0]?.id, id);
          ctx.note('vector set (Q8)');
          return;
        }
        await assert.rejects(memory.recall('x', { user: 'u1' }), (error: unknown) => {
          assert.ok(error instanceof CapabilityMissingError);
          assert.match(error.message, /vector sets \(VADD.*search \(FT\.SEARCH\)/);
          return true;
        });
        ctx.note('refused: no vector sets, no search');
      },
    },
    {
      name: 'remember de-duplicates near-identical memories; recall never crosses user or namespace',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const first = await memory.remember('The user prefers dark mode in the editor', {
          user: 'alice',
          topics: ['ui'],
        });
        const again = await memory.remember('the user prefers dark mode in the editor!', {
          user: 'alice',
          topics: ['prefs'],
        });
        assert.equal(again.id, first.id);
        assert.equal(again.deduplicated, true);
        const other = await memory.remember('The user prefers dark mode in the editor', { user: 'bob' });
        assert.notEqual(other.id, first.id, 'the same text for another user is its own memory');
        await memory.remember('The user prefers dark mode in the editor', { user: 'alice', namespace: 'work' });
        const alice = await memory.recall('dark mode editor', { user: 'alice', k: 10 });
        assert.deepEqual(
          alice.map((m) => m.id),
          [first.id],
          'one memory, de-duplicated, in alice/default only',
        );
        assert.deepEqual(alice[0]?.topics.sort(), ['prefs', 'ui']);
        for (const scope of [{ user: 'bob' }, { user: 'alice', namespace: 'work' }, { user: 'carol' }]) {
          const found = await memory.recall('dark mode editor', { ...scope, k: 10 });
          assert.ok(
            found.every((m) => m.id !== first.id),
            `${JSON.stringify(scope)} never sees alice's memory`,
          );
        }
        assert.deepEqual(await memory.recall('anything', { user: 'carol' }), []);
      },
    },
    {
      name: 'recall filters by topic, weighs recency, and forget removes by id and by filter',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const scope = { user: 'u' };
        const tick = () => new Promise((r) => setTimeout(r, 20));
        await memory.remember('Lunch is served at noon on Tuesday', { ...scope, topics: ['office'] });
        await tick();
        const old = await memory.remember('Deploys happen on Tuesday mornings', { ...scope, topics: ['ops'] });
        await tick();
        const recent = await memory.remember('Deploys are frozen during the holidays', {
          ...scope,
          topics: ['ops', 'calendar'],
        });
        const ops = await memory.recall('Tuesday', { ...scope, topics: ['ops'], k: 5 });
        assert.ok(ops.length === 2 && ops.every((m) => m.topics.includes('ops')));
        const byRecency = await memory.recall('deploys', { ...scope, k: 2, recencyWeight: 1 });
        assert.equal(byRecency[0]?.id, recent.id, 'recency weight 1 puts the newest first');
        assert.equal(await memory.forget(old.id, scope), 1);
        assert.equal(await memory.forget(old.id, scope), 0);
        assert.equal(await memory.forget({ topics: ['calendar'] }, scope), 1);
        const left = await memory.recall('deploys tuesday lunch', { ...scope, k: 5 });
        assert.deepEqual(
          left.map((m) => m.topics),
          [['office']],
        );
        assert.equal(await memory.forget({ before: Date.now() + 1000 }, scope), 1);
        await assert.rejects(memory.forget({}, scope), /forget needs an id, or a filter/);
        await assert.rejects(memory.recall('x', { ...scope, k: 500 }), /k must be an integer/);
      },
    },
    {
      name: 'a memory remembered with a TTL expires: recall skips it without writing, the next remember sweeps it',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const scope = { user: 'ttl' };
        const tag = scopeTag(ctx.prefix, 'ttl');
        const kept = await memory.remember('The office wifi password rotates monthly', scope);
        const short = await memory.remember('Standup is moved to 10:30 today', { ...scope, ttlMs: 60 });
        const pttl = await ctx.client.pttl(`${tag}:m:${short.id}`);
        assert.ok(pttl > 0 && pttl <= 60, `the memory has its TTL (${pttl})`);
        assert.equal(
          await ctx.client.pttl(`${tag}:m:${kept.id}`),
          -1,
          'without ttlMs a memory is kept until forgotten',
        );
        await assert.rejects(memory.remember('x', { ...scope, ttlMs: 1.5 }), /ttlMs must be/);
        for (let i = 0; i < 200 && (await ctx.client.exists(`${tag}:m:${short.id}`)); i++)
          await new Promise((r) => setTimeout(r, 20));
        const found = await memory.recall('standup today office', { ...scope, k: 5 });
        assert.deepEqual(
          found.map((m) => m.id),
          [kept.id],
          'the expired memory is not recalled',
        );
        assert.equal(
          Number(await ctx.client.call('VCARD', `${tag}:vset`)),
          2,
          'recall wrote nothing: the element is still there',
        );
        assert.equal(await ctx.client.zcard(`${tag}:ids`), 2, 'and its id');
        const next = await memory.remember('Retro is on Friday afternoons', scope);
        assert.equal(
          Number(await ctx.client.call('VCARD', `${tag}:vset`)),
          2,
          'the remember swept the expired element',
        );
        assert.deepEqual((await ctx.client.zrange(`${tag}:ids`, '0', '-1')).sort(), [kept.id, next.id].sort());
        assert.equal(await ctx.client.exists(`${tag}:exp`), 0, 'and emptied the expiry index');
      },
    },
    {
      name: 'an update keeps the longer lifetime: a kept memory stays kept, a TTL is only extended',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const scope = { user: 'lifetime' };
        const tag = scopeTag(ctx.prefix, 'lifetime');
        const pttl = (id: string) => ctx.client.pttl(`${tag}:m:${id}`);
        const kept = await memory.remember('The team standup is at nine', scope);
        const again = await memory.remember('the team standup is at nine!', { ...scope, ttlMs: MINUTE });
        assert.equal(again.id, kept.id, 'the near-duplicate updated the memory');
        assert.equal(await pttl(kept.id), -1, 'a one-minute remember did not put an end to a kept memory');
        assert.equal(await ctx.client.zscore(`${tag}:exp`, kept.id), null, 'nor entered it in the expiry index');

        const long = await memory.remember('Release notes are due every Friday', { ...scope, ttlMs: DAY });
        await memory.remember('release notes are due every friday.', { ...scope, ttlMs: MINUTE });
        const left = await pttl(long.id);
        assert.ok(left > DAY / 2, `a day's TTL was not cut to a minute (${left} ms left)`);

        const short = await memory.remember('The build cache is warm', { ...scope, ttlMs: MINUTE });
        await memory.remember('the build cache is warm!', scope);
        assert.equal(await pttl(short.id), -1, 'remembered again without a TTL, the memory is kept');
        assert.equal(await ctx.client.zscore(`${tag}:exp`, short.id), null, 'and left the expiry index');
      },
    },
    {
      name: 'a steady stream of expiring memories levels off (each remember sweeps expired ones)',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const tag = scopeTag(ctx.prefix, 'stream');
        const rounds = 5;
        const perRound = 150;
        const counts: number[] = [];
        for (let round = 0; round < rounds; round++) {
          let next = 0;
          // 16 remembers in flight, as concurrent agents would send them.
          await Promise.all(
            Array.from({ length: 16 }, async () => {
              while (next < perRound) {
                const i = round * perRound + next++;
                await memory.remember(`note ${i} about topic ${i * 7919}`, { user: 'stream', ttlMs: 100 });
              }
            }),
          );
          counts.push(Number(await ctx.client.call('VCARD', `${tag}:vset`)));
          await new Promise((r) => setTimeout(r, 150)); // this round's memories expire (not a timing assertion)
        }
        ctx.note(`elements after each round of ${perRound}: ${counts.join(', ')}`);
        // Each remember sweeps up to 20 expired memories, so a round of 150 clears the previous round's 150.
        for (const count of counts) assert.ok(count <= 2 * perRound, `element count ${count} stays within two rounds`);
      },
    },
    {
      name: 'a remember whose element the server refuses leaves no record behind',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const tag = scopeTag(ctx.prefix, 'refused');
        // A set made by someone else without quantization: VSIM reads it, VADD … Q8 is refused.
        const [seed] = await embedder.embed(['someone else']);
        await ctx.client.call('VADD', `${tag}:vset`, 'FP32', toFp32Blob(seed as Float32Array), 'x', 'NOQUANT');
        await assert.rejects(memory.remember('A memory the set refuses', { user: 'refused' }), /quantization/);
        assert.equal(await ctx.client.exists(`${tag}:ids`), 0, 'no id left in the index');
        assert.deepEqual(await keysMatching(ctx.client, `${tag}:m:*`), [], 'no record left');
        await ctx.client.unlink(`${tag}:vset`);
      },
    },
    {
      name: 'concurrent remembers of near-identical new texts leave one memory with every topic',
      requires: ['vectorSets'],
      async run(ctx) {
        const memory = longTerm(ctx);
        const scope = { user: 'racer' };
        const tag = scopeTag(ctx.prefix, 'racer');
        const variants = [
          'The user prefers tabs over spaces',
          'the user prefers tabs over spaces',
          'The user prefers tabs over spaces!',
          'THE USER PREFERS TABS OVER SPACES',
          'The user prefers tabs over spaces.',
          'the user prefers tabs over spaces!!',
        ];
        // Half of them from a second connection, as from another process.
        const other = await connect(targetConnection(ctx.target));
        const results = await (async () => {
          try {
            const second = createLongTermMemory(other, {
              embedder,
              prefix: ctx.prefix,
              capabilities: ctx.target.capabilities,
            });
            return await Promise.all(
              variants.map((text, i) => (i % 2 ? second : memory).remember(text, { ...scope, topics: [`t${i}`] })),
            );
          } finally {
            await closeClient(other);
          }
        })();
        assert.equal(Number(await ctx.client.call('VCARD', `${tag}:vset`)), 1, 'one element');
        const ids = await ctx.client.zrange(`${tag}:ids`, '0', '-1');
        assert.equal(ids.length, 1, 'one id');
        assert.ok(
          results.filter((r) => !r.deduplicated).length >= 1,
          'at least one remember added (the others updated or merged)',
        );
        const [only] = await memory.recall('user prefers tabs', { ...scope, k: 10 });
        assert.equal(only?.id, ids[0]);
        assert.deepEqual(
          only?.topics.sort(),
          variants.map((_, i) => `t${i}`),
          "every remember's topic reached the one memory",
        );
        ctx.note(`${variants.length} concurrent remembers: 1 memory`);
      },
    },
    {
      name: 'recall as a user with the read-only ACL recipe, an expired memory present: answered, no NOPERM',
      requires: ['vectorSets'],
      // ACL users are per node: one server only.
      topology: 'standalone',
      destructive: 'creates and deletes an ACL user',
      async run(ctx) {
        const scope = { user: 'reader' };
        const tag = scopeTag(ctx.prefix, 'reader');
        const writer = longTerm(ctx);
        const kept = await writer.remember('The build server restarts at midnight', scope);
        const short = await writer.remember('The build is red right now', { ...scope, ttlMs: 50 });
        for (let i = 0; i < 200 && (await ctx.client.exists(`${tag}:m:${short.id}`)); i++)
          await new Promise((r) => setTimeout(r, 20));
        const found = await asReadOnlyUser(ctx.client, ctx.target, (reader) =>
          createLongTermMemory(reader, {
            embedder,
            prefix: ctx.prefix,
            capabilities: ctx.target.capabilities,
          }).recall('the build server', { ...scope, k: 5 }),
        );
        assert.deepEqual(
          found.map((m) => m.id),
          [kept.id],
        );
        assert.equal(Number(await ctx.client.call('VCARD', `${tag}:vset`)), 2, 'nothing removed by the read');
      },
    },
  ],
});
