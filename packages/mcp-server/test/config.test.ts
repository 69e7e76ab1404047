import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, parseConfig, USAGE } from '../src/config.ts';
import { GROUPS, PROFILES, resolveGroups } from '../src/tools/index.ts';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(argv, env, resolveGroups);

describe('parseConfig', () => {
  it('defaults: REDIS_URL, stdio, the default profile, the documented limits', () => {
    const config = parse([], { REDIS_URL: 'redis://10.0.0.5:6380/2' });
    expect(config.url).toBe('redis://10.0.0.5:6380/2');
    expect(config.transport).toBe('stdio');
    expect(config.groups).toEqual(['keys', 'strings', 'hashes', 'server', 'docs']);
    expect(config.readOnly).toBe(false);
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.limits.maxValueBytes).toBe(102_400);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000, token: undefined, allowedHosts: [] });
  });

  it('flags: url, TLS files, cluster, read-only, limits, service', () => {
    const config = parse([
      '--url',
      'rediss://cache.internal:6380',
      '--tls-ca',
      '/etc/ca.pem',
      '--tls-cert',
      '/etc/c.pem',
      '--tls-key',
      '/etc/k.pem',
      '--cluster-mode',
      '--read-only',
      '--default-ttl',
      '0',
      '--max-value-bytes',
      '2048',
      '--max-items',
      '50',
      '--max-wait-ms',
      '500',
      '--service',
      'agent',
    ]);
    expect(config).toMatchObject({
      url: 'rediss://cache.internal:6380',
      tls: { ca: '/etc/ca.pem', cert: '/etc/c.pem', key: '/etc/k.pem' },
      target: { host: 'cache.internal', port: 6380, tls: true, cluster: true, display: 'rediss://cache.internal:6380' },
      readOnly: true,
      limits: { defaultTtl: 0, maxValueBytes: 2048, maxItems: 50, maxWaitMs: 500 },
      service: 'agent',
    });
  });

  it('REDIS_CLUSTER turns cluster mode on', () => {
    expect(parse([], { REDIS_CLUSTER: 'true' }).target.cluster).toBe(true);
    expect(parse([], { REDIS_CLUSTER: 'true', REDIS_URL: 'redis://h:7000/3' }).target).toMatchObject({
      host: 'h',
      port: 7000,
    });
  });

  it('--tools picks groups in registry order and wins over --profile', () => {
    expect(parse(['--tools', 'docs, strings', '--profile', 'full']).groups).toEqual(['strings', 'docs']);
  });

  it('--help names every group --tools accepts, in registry order', () => {
    const listed = /--tools <g1,g2> .*: ([\w,\s]+?)\n\s+--/.exec(USAGE)?.[1]?.replace(/\s+/g, '');
    expect(listed).toBe(GROUPS.map((g) => g.name).join(','));
  });

  it('profiles: full has every group, read is read-only, ops is read-only', () => {
    expect(parse(['--profile', 'full']).groups).toEqual(GROUPS.map((g) => g.name));
    expect(parse(['--profile', 'read'])).toMatchObject({ readOnly: true, groups: GROUPS.map((g) => g.name) });
    expect(parse(['--profile', 'ops']).readOnly).toBe(true);
    for (const profile of Object.values(PROFILES)) {
      if (profile.groups !== 'all') for (const g of profile.groups) expect(GROUPS.map((x) => x.name)).toContain(g);
    }
  });

  it.each([
    [['--tools', 'strings,nosuch'], /unknown tool group\(s\) "nosuch"; known: keys, strings/],
    [['--profile', 'huge'], /unknown profile "huge"; known: default, full/],
    [['--url', 'http://x'], /--url: A Redis URL must start with redis:\/\/ or rediss:\/\//],
    [['--url', 'redis://h/x'], /--url: Invalid Redis URL "redis:\/\/h\/x": the database must be a number/],
    [['--max-items', '0'], /--max-items must be an integer from 1 to 1000/],
    [['--max-items', '5000'], /--max-items must be an integer from 1 to 1000/],
    [['--max-answer-bytes', '100'], /--max-answer-bytes must be an integer from 4096/],
    [['--default-ttl=-5'], /--default-ttl must be an integer from 0/],
    [['--transport', 'ws'], /--transport must be stdio or http/],
    [['--service', 'a b'], /--service must be/],
    [['--nope'], /Unknown option '--nope'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parse(argv)).toThrow(ConfigError);
    expect(() => parse(argv)).toThrow(message);
  });

  it.each(['http://u:hunter22pw@x', 'redis:/u:hunter22pw@x', 'redis://u:hunter22pw@x:99999'])(
    'a bad --url or REDIS_URL %s is reported, naming where it came from, without its password',
    (url) => {
      expect(() => parse(['--url', url])).toThrow(/^--url: (A Redis URL must start with redis:\/\/|Invalid Redis URL)/);
      expect(() => parse([], { REDIS_URL: url })).toThrow(/^REDIS_URL: /);
      expect(() => parse(['--url', url])).not.toThrow(/hunter22pw/);
      expect(() => parse([], { REDIS_URL: url })).not.toThrow(/hunter22pw/);
    },
  );

  it('HTTP beyond loopback needs REDIS_MCP_HTTP_TOKEN', () => {
    expect(() => parse(['--transport', 'http', '--host', '0.0.0.0'])).toThrow(/set REDIS_MCP_HTTP_TOKEN/);
    const config = parse(['--transport', 'http', '--host', '0.0.0.0', '--port', '0'], {
      REDIS_MCP_HTTP_TOKEN: 't0ken',
    });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 0, token: 't0ken', allowedHosts: [] });
    expect(parse(['--transport', 'http', '--host', '::1']).http.host).toBe('::1');
  });
});
