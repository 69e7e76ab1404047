import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertCommandAllowed, assertValueSize, guardClient, PolicyError, ttlForNewKey } from '../src/guard.ts';
import { compactSchema } from '../src/tool.ts';

describe('assertCommandAllowed', () => {
  it.each(['KEYS', 'keys', 'FLUSHALL', 'FLUSHDB', 'SELECT', 'SHUTDOWN', 'DEBUG', 'MONITOR', 'SWAPDB', 'REPLICAOF'])(
    'refuses %s',
    (command) => {
      expect(() => assertCommandAllowed(command, [])).toThrow(PolicyError);
    },
  );

  it('refuses dangerous subcommands but allows their safe siblings', () => {
    expect(() => assertCommandAllowed('CONFIG', ['SET', 'maxmemory', '1'])).toThrow(/CONFIG SET is not allowed/);
    expect(() => assertCommandAllowed('config', ['rewrite'])).toThrow(/CONFIG REWRITE/);
    expect(() => assertCommandAllowed('SCRIPT', ['FLUSH'])).toThrow(/SCRIPT FLUSH/);
    expect(() => assertCommandAllowed('CONFIG', ['GET', 'maxmemory'])).not.toThrow();
    expect(() => assertCommandAllowed('CLUSTER', ['NODES'])).not.toThrow();
    expect(() => assertCommandAllowed('SCAN', ['0'])).not.toThrow();
  });

  it('refuses every command AGENTS.md says the MCP server refuses', () => {
    const agents = readFileSync(new URL('../../../AGENTS.md', import.meta.url), 'utf8');
    const listed = /no (`KEYS`.*?`MONITOR`)/s.exec(agents)?.[1] ?? '';
    const commands = [...listed.matchAll(/`([A-Z ]+)`/g)].map((m) => (m[1] as string).split(' '));
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const [command, ...args] of commands)
      expect(() => assertCommandAllowed(command as string, args)).toThrow(PolicyError);
  });

  it('says what to use instead of KEYS', () => {
    expect(() => assertCommandAllowed('KEYS', ['*'])).toThrow(/use SCAN/);
  });
});

describe('guardClient', () => {
  /** A stand-in with ioredis' method shapes, to check routing without a server (servers are in the suite). */
  function fake() {
    const sent: string[] = [];
    const client = {
      sent,
      get: (key: string) => sent.push(`GET ${key}`),
      keys: (pattern: string) => sent.push(`KEYS ${pattern}`),
      config: (...args: string[]) => sent.push(`CONFIG ${args.join(' ')}`),
      call: (command: string, ...args: string[]) => sent.push(`${command} ${args.join(' ')}`.trim()),
      pipeline() {
        interface Batch {
          flushdb(): Batch;
          get(key: string): Batch;
        }
        const batch: Batch = {
          flushdb: () => {
            sent.push('FLUSHDB');
            return batch;
          },
          get: (key) => {
            sent.push(`GET ${key}`);
            return batch;
          },
        };
        return batch;
      },
    };
    return { client: guardClient(client), sent };
  }

  it('passes allowed commands and refuses blocked ones in every calling form, sending nothing', () => {
    const { client, sent } = fake();
    client.get('a');
    client.config('GET', 'maxmemory');
    client.call('scan', '0');
    client.pipeline().get('b');
    expect(() => client.keys('*')).toThrow(/KEYS is not allowed/);
    expect(() => client.call('flushall')).toThrow(/FLUSHALL is not allowed/);
    expect(() => client.config('SET', 'x', 'y')).toThrow(/CONFIG SET/);
    expect(() => client.pipeline().flushdb()).toThrow(/FLUSHDB/);
    expect(() => client.pipeline().get('c').flushdb()).toThrow(/FLUSHDB/);
    expect(sent).toEqual(['GET a', 'CONFIG GET maxmemory', 'scan 0', 'GET b', 'GET c']);
  });
});

describe('ttlForNewKey', () => {
  it('ttl wins; ttl: 0 is none, even with a default; otherwise the default', () => {
    expect(ttlForNewKey({ ttl: 30 }, { defaultTtl: 3600 })).toBe(30);
    expect(ttlForNewKey({ ttl: 0 }, { defaultTtl: 3600 })).toBe(0);
    expect(ttlForNewKey({ ttl: 0 }, { defaultTtl: 0 })).toBe(0);
    expect(ttlForNewKey({}, { defaultTtl: 3600 })).toBe(3600);
  });

  it('refuses a write without TTL when there is no default, saying how to write permanent data; and a bad ttl', () => {
    expect(() => ttlForNewKey({}, { defaultTtl: 0 })).toThrow(/writes need a TTL.*ttl: 0/);
    expect(() => ttlForNewKey({ ttl: -1 }, { defaultTtl: 3600 })).toThrow(/whole seconds/);
    expect(() => ttlForNewKey({ ttl: 1.5 }, { defaultTtl: 3600 })).toThrow(/whole seconds/);
  });
});

describe('assertValueSize', () => {
  it('counts UTF-8 bytes over all values of one write', () => {
    expect(() => assertValueSize(['a'.repeat(60), 'b'.repeat(40)], { maxValueBytes: 100 })).not.toThrow();
    expect(() => assertValueSize(['a'.repeat(60), 'b'.repeat(41)], { maxValueBytes: 100 })).toThrow(
      /101 bytes exceeds/,
    );
    expect(() => assertValueSize(['é'.repeat(51)], { maxValueBytes: 100 })).toThrow(/102 bytes/);
  });
});

describe('compactSchema', () => {
  it('drops $schema, numeric and length bounds (stated in instructions and op bounds), propertyNames, additionalProperties: false and the type of an enum', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        n: { type: 'integer', minimum: -9007199254740991, maximum: 100 },
        l: { type: 'array', maxItems: 100, items: { type: 'string' } },
        op: { type: 'string', enum: ['get', 'set'] },
        r: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'string' } },
      },
      required: ['n'],
    };
    expect(compactSchema(schema)).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer' },
        l: { type: 'array', items: { type: 'string' } },
        op: { enum: ['get', 'set'] },
        r: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['n'],
    });
  });

  it('drops string lengths and patterns, but never a property named like a keyword', () => {
    const schema = {
      type: 'object',
      properties: {
        user: { type: 'string', pattern: '^[\\w.:@-]{1,128}$' },
        text: { type: 'string', minLength: 1, maxLength: 8192 },
        pattern: { type: 'string' },
        maximum: { type: 'number' },
      },
    };
    expect(compactSchema(schema)).toEqual({
      type: 'object',
      properties: {
        user: { type: 'string' },
        text: { type: 'string' },
        pattern: { type: 'string' },
        maximum: { type: 'number' },
      },
    });
  });

  it('drops additionalProperties: {} and turns an anyOf of bare types into a type list, nowhere else', () => {
    const schema = {
      type: 'object',
      properties: {
        any: { type: 'object', additionalProperties: {} },
        rank: { anyOf: [{ type: 'integer', minimum: -9007199254740991 }, { type: 'null' }] },
        either: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      },
    };
    expect(compactSchema(schema)).toEqual({
      type: 'object',
      properties: {
        any: { type: 'object' },
        rank: { type: ['integer', 'null'] },
        either: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      },
    });
  });
});
