import { describe, expect, it } from 'vitest';
import { loadConfig, parseTrustProxy } from '../src/config.ts';

describe('TRUST_PROXY', () => {
  it('unset or false trusts no proxy', () => {
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy('')).toBeUndefined();
    expect(parseTrustProxy('false')).toBeUndefined();
  });

  it('takes a hop count', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy(' 2 ')).toBe(2);
  });

  it('takes proxy addresses: IPs, CIDR subnets and the named ranges', () => {
    expect(parseTrustProxy('10.0.0.1, 10.0.0.2')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(parseTrustProxy('10.0.0.0/8,fd00::/8,loopback,uniquelocal')).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
      'uniquelocal',
    ]);
  });

  it('refuses true, which would let any client choose the address it is limited by', () => {
    expect(() => parseTrustProxy('true')).toThrow(/any client could choose/);
  });

  it('refuses what is neither a hop count nor an address, naming it', () => {
    for (const wrong of ['yes', '10.0.0.300', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '-1', '1.5']) {
      expect(() => parseTrustProxy(wrong), wrong).toThrow('TRUST_PROXY must be');
    }
  });
});

describe('loadConfig', () => {
  it('has defaults: port 3000 on loopback, the sliding-window log, one instance, no proxy', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      algorithm: 'sliding-window-log',
      instances: 1,
      trustProxy: undefined,
    });
  });

  it('reads the environment and refuses values it cannot use', () => {
    expect(loadConfig({ PORT: '0', RATE_LIMIT_ALGORITHM: 'gcra', INSTANCES: '3', TRUST_PROXY: '1' })).toMatchObject({
      port: 0,
      algorithm: 'gcra',
      instances: 3,
      trustProxy: 1,
    });
    expect(() => loadConfig({ RATE_LIMIT_ALGORITHM: 'leaky' })).toThrow('RATE_LIMIT_ALGORITHM must be one of');
    expect(() => loadConfig({ INSTANCES: '0' })).toThrow('INSTANCES must be a whole number >= 1');
    expect(() => loadConfig({ PORT: 'http' })).toThrow('PORT must be');
  });
});
