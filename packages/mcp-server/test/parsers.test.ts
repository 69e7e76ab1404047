import { describe, expect, it } from 'vitest';
import { syntax } from '../src/tools/docs.ts';
import { parseClusterNodes } from '../src/tools/server.ts';

describe('syntax (COMMAND DOCS arguments → one line)', () => {
  it('renders tokens, optional blocks, one-ofs and repetition', () => {
    const arg = (...pairs: unknown[]) => pairs;
    const docs = [
      arg('name', 'key', 'type', 'key'),
      arg('name', 'seconds', 'type', 'integer'),
      arg('name', 'condition', 'type', 'oneof', 'flags', ['optional'], 'arguments', [
        arg('name', 'nx', 'type', 'pure-token', 'token', 'NX'),
        arg('name', 'xx', 'type', 'pure-token', 'token', 'XX'),
      ]),
      arg('name', 'fields', 'type', 'block', 'token', 'FIELDS', 'arguments', [
        arg('name', 'numfields', 'type', 'integer'),
        arg('name', 'field', 'type', 'string', 'flags', ['multiple']),
      ]),
      arg('name', 'count', 'type', 'integer', 'token', 'COUNT', 'flags', ['optional']),
    ];
    expect(syntax(docs)).toBe('key seconds [NX | XX] FIELDS numfields field [field ...] [COUNT count]');
  });
});

describe('parseClusterNodes', () => {
  it('lists masters with slot counts and ranges, replicas with their master', () => {
    const text = [
      'aaaaaaaaaaaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
      'bbbbbbbbbbbb 127.0.0.1:7001@17001 master - 0 1 2 connected 5461-10922 [93-<-cccc]',
      'cccccccccccc 127.0.0.1:7002@17002 master - 0 1 3 connected 10923 10924-16383',
      'dddddddddddd 127.0.0.1:7003@17003 slave aaaaaaaaaaaa 0 1 1 connected',
    ].join('\n');
    const nodes = parseClusterNodes(text);
    expect(nodes.map((n) => n.slots)).toEqual([5461, 5462, 5461, undefined]);
    expect(nodes[2]).toMatchObject({ addr: '127.0.0.1:7002', role: 'master', ranges: ['10923', '10924-16383'] });
    expect(nodes[3]).toEqual({
      id: 'dddddddd',
      addr: '127.0.0.1:7003',
      role: 'replica',
      master: 'aaaaaaaa',
      link: 'connected',
    });
  });
});
