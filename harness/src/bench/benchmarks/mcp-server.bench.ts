/**
 * What the MCP layer costs. Latency of one tool call (`string get`: TTL, STRLEN, GETRANGE in one pipeline) against GET and TTL
 * sent by ioredis directly (the anchor), sequentially, with the server in this process (in-memory transport) and
 * as a child process over stdio; and the size of `tools/list` for each profile in tokens of a real tokenizer
 * (js-tiktoken, `o200k_base`), against seed 000's 2,000 to 3,000 tokens for fifteen tools: the whole listing as a
 * client receives it, the part a function-calling model is given (name, description, input schema), and the listing
 * with output schemas (`--output-schemas`). Beside them, the server instructions (sent once per connection), which
 * carry what every tool shares (the TTL rule, the bounds, base64), so the listing's savings are not hidden there.
 */
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { PROFILES, parseConfig, planTools, resolveGroups, startRedisMcp } from '@redis-agent-kit/mcp-server';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { getEncoding } from 'js-tiktoken';
import {
  alternatingRounds,
  type BenchRow,
  compare,
  defineBenchmark,
  measured,
  percentile,
  ROUNDS,
} from '../benchmark.ts';

const KEY = '{rak:bench:mcp}:value';
const ROOT = resolve(import.meta.dirname, '../../../..');

/** Runs `op` `n` times one after another and returns the latencies in ms. */
async function latencies(op: () => Promise<unknown>, n: number): Promise<number[]> {
  for (let i = 0; i < Math.min(50, n); i++) await op(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await op();
    out.push(performance.now() - started);
  }
  return out;
}

/** Mean and p99 of latencies in ms, in µs. */
function latencyFigures(samples: number[]): { mean: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    mean: (sorted.reduce((s, v) => s + v, 0) / sorted.length) * 1000,
    p99: percentile(sorted, 99) * 1000,
  };
}

const tokenizer = getEncoding('o200k_base');
/** Tokens of the JSON a client receives (o200k_base: the tokenizer of current OpenAI models). */
const tokens = (value: unknown) => tokenizer.encode(JSON.stringify(value)).length;

/**
 * Seed 000 puts fifteen tool definitions at 2,000 to 3,000 tokens; the goal is to come in under that range, so
 * under its bottom: the full set is measured against 2,000 (and the top of the range is printed beside it).
 */
const SEED_TOKENS = 2000;

/**
 * Issue 14 set the goal (full set ≤ SEED_TOKENS) when the full set had fifteen tools; these groups came after it
 * (`queue`; `memory`, which holds the memory and working_memory tools). The set the goal speaks of is every other
 * group of the registry, listed with `--tools`, so its figure stays measured as groups are added.
 */
const GROUPS_AFTER_GOAL: readonly string[] = ['queue', 'memory'];

export default defineBenchmark({
  id: 'mcp-server',
  title: 'MCP tool-call latency vs direct ioredis, and tools/list size per profile',
  async run({ target, scale }) {
    const n = Math.max(300, Math.round(5000 * scale));
    const flags = ['--url', target.url, ...(target.cluster ? ['--cluster-mode'] : [])];
    const rows: BenchRow[] = [];
    const notes: string[] = [];

    const direct = await connect({ url: target.url, cluster: target.cluster });
    const app = await startRedisMcp(parseConfig([...flags, '--profile', 'full'], {}, resolveGroups));
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
    const server = app.createServer();
    await server.connect(serverSide);
    const inProcess = new Client({ name: 'bench', version: '1' });
    await inProcess.connect(clientSide);
    const stdio = new Client({ name: 'bench-stdio', version: '1' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--conditions=source', join(ROOT, 'packages/mcp-server/src/cli.ts'), ...flags, '--profile', 'full'],
        env: { PATH: process.env.PATH ?? '' },
        stderr: 'ignore',
      }),
    );
    try {
      await direct.set(KEY, 'x'.repeat(100), 'EX', 300);
      const args = { name: 'string', arguments: { op: 'get', key: KEY } };
      // Alternating rounds (the first discarded) so no side always runs on a warmer or colder machine; each round's
      // mean and p99 pair with the anchor's of the same round.
      const perRound = Math.max(50, Math.round(n / (ROUNDS.warmup + ROUNDS.measured)));
      const p99s: Record<'direct' | 'inProcess' | 'stdio', number[]> = { direct: [], inProcess: [], stdio: [] };
      const round = (name: keyof typeof p99s, op: () => Promise<unknown>, calls: number) => async () => {
        const { mean, p99 } = latencyFigures(await latencies(op, calls));
        p99s[name].push(p99);
        return mean;
      };
      const means = await alternatingRounds({
        direct: round('direct', () => Promise.all([direct.get(KEY), direct.ttl(KEY)]), perRound),
        inProcess: round('inProcess', () => inProcess.callTool(args), perRound),
        stdio: round('stdio', () => stdio.callTool(args), Math.round(perRound / 2)),
      });
      const rowsFor = (subject: string, name: keyof typeof p99s) => ({
        mean: measured(subject, 'mean latency', 'µs', means[name]),
        p99: measured(subject, 'p99 latency', 'µs', p99s[name].slice(ROUNDS.warmup)),
      });
      const anchor = rowsFor('ioredis GET + TTL (anchor)', 'direct');
      const mem = rowsFor('MCP string get, in-process', 'inProcess');
      const pipe = rowsFor('MCP string get, stdio', 'stdio');
      rows.push(anchor.mean, compare(mem.mean, anchor.mean), compare(pipe.mean, anchor.mean));
      rows.push(anchor.p99, compare(mem.p99, anchor.p99), compare(pipe.p99, anchor.p99));
      const overhead = (mem.mean.value - anchor.mean.value) / 1000;
      rows.push({
        subject: 'MCP overhead per call, in-process',
        metric: 'mean latency - anchor',
        value: overhead,
        unit: 'ms',
        goal: '< 1 ms',
        met: overhead < 1,
      });
      notes.push(
        `${perRound} sequential calls per subject and round (stdio ${Math.round(perRound / 2)}), ${ROUNDS.measured} rounds after one discarded; the anchor sends GET and TTL together, the tool TTL, STRLEN and GETRANGE in one pipeline`,
      );
    } finally {
      await direct.unlink(KEY);
      await inProcess.close();
      await stdio.close();
      await server.close();
      await app.close();
      await closeClient(direct);
    }

    // tools/list as a client receives it, per profile, from this server; plus full with JSON (a server that has it).
    const goals: Record<string, number> = { default: 1000, full: SEED_TOKENS };
    const allGroups = resolveGroups(undefined, 'full').groups;
    const unknown = GROUPS_AFTER_GOAL.filter((group) => !allGroups.includes(group));
    if (unknown.length) throw new Error(`GROUPS_AFTER_GOAL names no group of the registry: ${unknown.join(', ')}`);
    const goalGroups = allGroups.filter((group) => !GROUPS_AFTER_GOAL.includes(group));
    const sets: { name: string; selection: string[]; goal?: number | undefined }[] = [
      ...Object.keys(PROFILES).map((profile) => ({
        name: profile,
        selection: ['--profile', profile],
        goal: goals[profile],
      })),
      {
        name: `full without ${GROUPS_AFTER_GOAL.join(', ')}`,
        selection: ['--tools', goalGroups.join(',')],
        goal: SEED_TOKENS,
      },
    ];
    let instructionTokens = 0;
    for (const { name, selection, goal } of sets) {
      const sized = await startRedisMcp(parseConfig([...flags, ...selection], {}, resolveGroups));
      const [a, b] = InMemoryTransport.createLinkedPair();
      const mcp = sized.createServer();
      await mcp.connect(a);
      const client = new Client({ name: 'size', version: '1' });
      await client.connect(b);
      const { tools } = await client.listTools();
      instructionTokens = tokenizer.encode(client.getInstructions() ?? '').length;
      const all = tokens(tools);
      const modelFacing = tokens(
        tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
      );
      await client.close();
      await mcp.close();
      await sized.close();
      const withOutputs = tokens(
        planTools(
          parseConfig([...flags, ...selection, '--output-schemas'], {}, resolveGroups),
          target.capabilities,
        ).registered.map((r) => r.listing),
      );
      const subject = `tools/list ${name} (${tools.length} tools)`;
      rows.push({ subject, metric: 'size', value: JSON.stringify(tools).length, unit: 'chars' });
      rows.push({
        subject,
        metric: 'size',
        value: all,
        unit: 'tokens (o200k_base)',
        ...(goal ? { goal: `≤ ${goal} tokens`, met: all <= goal } : {}),
      });
      rows.push({ subject, metric: 'model-facing size', value: modelFacing, unit: 'tokens (o200k_base)' });
      rows.push({ subject, metric: 'size with --output-schemas', value: withOutputs, unit: 'tokens (o200k_base)' });
    }
    rows.push({
      subject: 'server instructions (once per connection, every profile)',
      metric: 'size',
      value: instructionTokens,
      unit: 'tokens (o200k_base)',
    });
    const withJson = planTools(parseConfig(['--profile', 'full'], {}, resolveGroups), {
      ...target.capabilities,
      json: true,
    }).registered.map((r) => r.listing);
    rows.push({
      subject: `tools/list full on a server with JSON (${withJson.length} tools)`,
      metric: 'size',
      value: tokens(withJson),
      unit: 'tokens (o200k_base)',
      goal: `≤ ${SEED_TOKENS} tokens`,
      met: tokens(withJson) <= SEED_TOKENS,
    });
    notes.push(
      `profiles: ${Object.entries(PROFILES)
        .map(([name, p]) => `${name} = ${p.description}`)
        .join('; ')}`,
    );
    notes.push("seed 000's anchor: 2,000-3,000 tokens for 15 single-operation tools");
    notes.push(
      `full without ${GROUPS_AFTER_GOAL.join(', ')}: the set issue 14's goal was set for, --tools ${goalGroups.join(',')} (those groups came after it)`,
    );
    return { rows, notes };
  },
});
