/**
 * The MCP memory tools, as checks of the mcp-server suite (so the matrix runs them on every target): working memory
 * (get, append) everywhere, with the TTL rules and bounds; long-term memory (remember, recall, forget) where the
 * server has vector sets, and elsewhere not registered, the server's startup list naming vector sets; read-only
 * mode registering only recall and get, a recall there meeting an expired memory without writing. Every key is under the check's prefix, which the tools take as `prefix`.
 */
import assert from 'node:assert/strict';
import { parseConfig, planTools, resolveGroups } from '@redis-agent-kit/mcp-server';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { keysMatching } from '../matrix/shared-server.ts';
import type { Check } from '../matrix/suite.ts';
import type { TargetInfo } from '../targets/types.ts';
import { inProcessSession, type McpSession } from './mcp-session.ts';

function inputArgs(session: McpSession, tool: string): string[] {
  return Object.keys((session.tools.find((t) => t.name === tool)?.inputSchema.properties ?? {}) as object);
}

function flags(t: TargetInfo, extra: string[]): string[] {
  return ['--url', t.url, ...(t.cluster ? ['--cluster-mode'] : []), ...extra];
}

/** The memory records under the prefix (or other long-term memory keys), on every master. */
const scanRecords = (client: RedisClient, prefix: string, what = 'm:*') =>
  keysMatching(client, `${prefix}:ltm:*:${what}`);

export const memoryToolChecks: Check[] = [
  {
    name: 'memory tools: working_memory appends in order, trims to the budget, keeps the newest count, and always expires',
    async run({ target, prefix, client }) {
      const s = await inProcessSession(target, ['--tools', 'memory']);
      try {
        const session = 'chat-1';
        for (const content of ['first question', 'first answer', 'second question']) {
          const role = content.includes('answer') ? 'assistant' : 'user';
          assert.equal(
            (await s.ok('working_memory', { op: 'append', prefix, session, role, content, ttl: 120 })).trimmed,
            0,
          );
        }
        const got = await s.ok('working_memory', { op: 'get', prefix, session, count: 2 });
        assert.deepEqual(
          (got.messages as { content: string }[]).map((m) => m.content),
          ['first answer', 'second question'],
          'the newest count, oldest first',
        );
        assert.equal(got.omitted, 1);
        assert.equal(got.tokens, 4 + 3 + 4, 'one token per 4 characters, rounded up');
        const pttl = await client.pttl(`${prefix}:wm:{${session}}:log`);
        assert.ok(pttl > 0 && pttl <= 120_000, `the session has the ttl asked (${pttl})`);

        const trimmed = await s.ok('working_memory', {
          op: 'append',
          prefix,
          session,
          role: 'user',
          content: 'x'.repeat(40),
          tokenBudget: 12,
          ttl: 120,
        });
        assert.equal(trimmed.trimmed, 3, 'the three oldest go to make room');
        assert.equal(trimmed.tokens, 10);

        await s.ok('working_memory', { op: 'append', prefix, session: 'chat-2', role: 'user', content: 'hello' });
        const defaulted = await client.pttl(`${prefix}:wm:{chat-2}:log`);
        assert.ok(defaulted > 120_000 && defaulted <= 3_600_000, `without ttl the default TTL applies (${defaulted})`);
        assert.match(
          await s.fails('working_memory', {
            op: 'append',
            prefix,
            session,
            role: 'user',
            content: 'x',
            ttl: 0,
          }),
          />=1/,
          'a session always expires: ttl: 0 (none) is refused',
        );
        assert.match(
          await s.fails('working_memory', { op: 'append', prefix, session: 'bad id!', role: 'user', content: 'x' }),
          /session/,
        );
        assert.match(
          await s.fails('working_memory', {
            op: 'append',
            prefix,
            session,
            role: 'user',
            content: 'x'.repeat(16 * 1024 + 1),
          }),
          /16384/,
        );
        assert.match(await s.fails('working_memory', { op: 'append', prefix, session }), /role and content/);
      } finally {
        await s.close();
        await client.unlink(`${prefix}:wm:{chat-1}:log`, `${prefix}:wm:{chat-1}:tokens`);
        await client.unlink(`${prefix}:wm:{chat-2}:log`, `${prefix}:wm:{chat-2}:tokens`);
      }
      const strict = await inProcessSession(target, ['--tools', 'memory', '--default-ttl', '0']);
      try {
        assert.match(
          await strict.fails('working_memory', { op: 'append', prefix, session: 's', role: 'user', content: 'x' }),
          /always expires: pass ttl/,
        );
      } finally {
        await strict.close();
      }
    },
  },
  {
    name: 'memory tools: the memory tool is registered where the server has vector sets, else the startup list names them',
    async run({ target, note }) {
      const config = parseConfig(flags(target, ['--tools', 'memory']), {}, resolveGroups);
      const { registered, skipped } = planTools(config, target.capabilities);
      const s = await inProcessSession(target, ['--tools', 'memory']);
      try {
        const listed = s.tools.map((tool) => tool.name).sort();
        if (target.capabilities.vectorSets) {
          assert.deepEqual(
            registered.map((r) => r.listing.name),
            ['memory', 'working_memory'],
          );
          assert.deepEqual(skipped, []);
          assert.deepEqual(listed, ['memory', 'working_memory']);
          note('memory: vector sets');
          return;
        }
        assert.deepEqual(
          registered.map((r) => r.listing.name),
          ['working_memory'],
        );
        assert.deepEqual(skipped, ['memory: server has no vector sets (VADD)']);
        assert.deepEqual(listed, ['working_memory'], 'memory is not registered');
        assert.match(await s.fails('memory', { op: 'recall', user: 'u', text: 'x' }), /not found/);
        note('memory: not registered (no vector sets), working_memory only');
      } finally {
        await s.close();
      }
    },
  },
  {
    name: 'memory tools: remember de-duplicates, recall stays within its user and namespace, forget, with the TTL rules',
    requires: ['vectorSets'],
    async run({ target, prefix, client }) {
      const s = await inProcessSession(target, ['--tools', 'memory']);
      try {
        const first = (
          await s.ok('memory', {
            op: 'remember',
            prefix,
            user: 'alice',
            text: 'Alice prefers dark mode in the editor',
            topics: ['ui'],
            ttl: 300,
          })
        ).remembered as { id: string; deduplicated: boolean };
        assert.equal(first.deduplicated, false);
        const again = (
          await s.ok('memory', {
            op: 'remember',
            prefix,
            user: 'alice',
            text: 'alice prefers dark mode in the editor!',
            ttl: 300,
          })
        ).remembered as { id: string; deduplicated: boolean };
        assert.deepEqual(again, { id: first.id, deduplicated: true });
        const kept = (
          await s.ok('memory', {
            op: 'remember',
            prefix,
            user: 'alice',
            text: 'Alice deploys on Tuesdays',
            topics: ['ops'],
            ttl: 0,
          })
        ).remembered as { id: string };
        await s.ok('memory', { op: 'remember', prefix, user: 'bob', text: 'Alice prefers dark mode in the editor' });

        const recalled = (await s.ok('memory', { op: 'recall', prefix, user: 'alice', text: 'dark mode editor', k: 1 }))
          .memories as { id: string; similarity: number }[];
        assert.equal(recalled.length, 1, 'k bounds the answer');
        assert.equal(recalled[0]?.id, first.id);
        const ops = (
          await s.ok('memory', { op: 'recall', prefix, user: 'alice', text: 'dark mode editor', topics: ['ops'] })
        ).memories as { id: string }[];
        assert.deepEqual(
          ops.map((m) => m.id),
          [kept.id],
          'topics filter',
        );
        const work = (
          await s.ok('memory', { op: 'recall', prefix, user: 'alice', namespace: 'work', text: 'dark mode editor' })
        ).memories as unknown[];
        assert.deepEqual(work, [], 'another namespace sees nothing');
        const bob = (await s.ok('memory', { op: 'recall', prefix, user: 'bob', text: 'dark mode editor', k: 10 }))
          .memories as { id: string }[];
        assert.ok(bob.length === 1 && bob[0]?.id !== first.id, 'bob sees only his own memory');

        // TTL rules: ttl as asked, ttl: 0 kept permanent, else the default TTL (3600 s).
        const records = await scanRecords(client, prefix);
        const ttls = new Map(
          await Promise.all(records.map(async (key) => [key.split(':m:')[1], await client.pttl(key)] as const)),
        );
        const set = ttls.get(first.id) as number;
        assert.ok(set > 0 && set <= 300_000, `ttl 300 s (${set})`);
        assert.equal(ttls.get(kept.id), -1, 'ttl: 0: no TTL');
        const defaulted = [...ttls.entries()].find(([id]) => id !== first.id && id !== kept.id)?.[1] as number;
        assert.ok(defaulted > 300_000 && defaulted <= 3_600_000, `the default TTL (${defaulted})`);

        assert.match(
          await s.fails('memory', { op: 'recall', prefix, user: 'alice', text: 'x'.repeat(8 * 1024 + 1) }),
          /8192/,
        );
        assert.match(await s.fails('memory', { op: 'recall', prefix, user: 'alice', text: 'x', k: 51 }), /50/);
        assert.match(await s.fails('memory', { op: 'recall', prefix, user: 'no spaces allowed', text: 'x' }), /user/);
        assert.match(await s.fails('memory', { op: 'forget', prefix, user: 'alice' }), /forget needs id/);

        assert.deepEqual(await s.ok('memory', { op: 'forget', prefix, user: 'alice', topics: ['ops'] }), {
          forgotten: 1,
        });
        assert.deepEqual(await s.ok('memory', { op: 'forget', prefix, user: 'alice', id: first.id }), {
          forgotten: 1,
        });
        assert.deepEqual(await s.ok('memory', { op: 'forget', prefix, user: 'bob', before: Date.now() + 1000 }), {
          forgotten: 1,
        });
        assert.deepEqual(
          (await s.ok('memory', { op: 'recall', prefix, user: 'alice', text: 'dark mode' })).memories,
          [],
        );
        assert.deepEqual(await scanRecords(client, prefix), [], 'forget left no record behind');
      } finally {
        await s.close();
      }
    },
  },
  {
    name: 'memory tools: read-only mode registers only recall and get, with no write argument (op is kept)',
    async run({ target, prefix, note, client }) {
      // An expired memory beside a kept one, written first, so the read-only recall below meets it.
      const expiring = target.capabilities.vectorSets;
      let kept: string | undefined;
      if (expiring) {
        const writer = await inProcessSession(target, ['--tools', 'memory']);
        try {
          const remember = async (text: string, ttl: number) =>
            (
              (await writer.ok('memory', { op: 'remember', prefix, user: 'ro', text, ttl })).remembered as {
                id: string;
              }
            ).id;
          kept = await remember('The read-only replica is in Frankfurt', 0);
          await remember('The read-only flag is off this hour', 1);
        } finally {
          await writer.close();
        }
        for (let i = 0; i < 300 && (await scanRecords(client, prefix)).length > 1; i++)
          await new Promise((r) => setTimeout(r, 20));
      }
      const s = await inProcessSession(target, ['--tools', 'memory', '--read-only']);
      try {
        const working = s.tools.find((tool) => tool.name === 'working_memory');
        assert.equal(working?.annotations?.readOnlyHint, true);
        // The op argument stays in read-only mode (with its one read op), so the same call works in every mode.
        assert.deepEqual(
          inputArgs(s, 'working_memory').sort(),
          ['count', 'op', 'prefix', 'session'],
          'get only, op kept',
        );
        assert.deepEqual(await s.ok('working_memory', { prefix, session: 'none' }), { messages: [], tokens: 0 });
        assert.match(
          await s.fails('working_memory', { op: 'append', prefix, session: 'none', role: 'user', content: 'x' }),
          /op/,
        );
        const memory = s.tools.find((tool) => tool.name === 'memory');
        if (!target.capabilities.vectorSets) {
          assert.equal(memory, undefined, 'no vector sets: memory is not registered in read-only mode either');
          note('read-only: working_memory get only');
          return;
        }
        assert.equal(memory?.annotations?.readOnlyHint, true);
        const props = inputArgs(s, 'memory');
        assert.ok(props.includes('op'), 'memory keeps its op argument (recall only)');
        for (const arg of ['ttl', 'id', 'before']) assert.ok(!props.includes(arg), `memory has no ${arg}`);
        assert.deepEqual(await s.ok('memory', { prefix, user: 'nobody', text: 'anything' }), { memories: [] });
        // Recall meets the expired memory: answered without it, and nothing written (its element stays).
        const recalled = (await s.ok('memory', { prefix, user: 'ro', text: 'the read-only replica flag', k: 5 }))
          .memories as { id: string }[];
        assert.deepEqual(
          recalled.map((m) => m.id),
          [kept],
        );
        const [vset] = await scanRecords(client, prefix, 'vset');
        assert.equal(Number(await client.call('VCARD', vset as string)), 2, 'a read-only recall writes nothing');
        assert.match(await s.fails('memory', { prefix, user: 'u', text: 'x', ttl: 60 }), /ttl/);
        assert.match(await s.fails('memory', { op: 'remember', prefix, user: 'u', text: 'x' }), /op/);
        note('read-only: memory recall, working_memory get');
      } finally {
        await s.close();
        const keys = await scanRecords(client, prefix, '*');
        for (const key of keys) await client.unlink(key);
      }
    },
  },
];
