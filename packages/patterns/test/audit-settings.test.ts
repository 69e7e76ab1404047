import { describe, expect, it } from 'vitest';
import { auditSettings } from '../src/audit/settings.ts';
import { AUDIT_DEFAULTS } from '../src/audit/types.ts';

describe('audit settings', () => {
  it('fills every option left out from AUDIT_DEFAULTS', () => {
    const settings = auditSettings({});
    expect(settings).toEqual({
      match: AUDIT_DEFAULTS.match,
      scanCount: AUDIT_DEFAULTS.scanCount,
      memorySamples: AUDIT_DEFAULTS.memorySamples,
      sampleKeys: undefined,
      sizePass: AUDIT_DEFAULTS.sizePass,
      useScripts: AUDIT_DEFAULTS.useScripts,
      commandTimeoutMs: AUDIT_DEFAULTS.commandTimeoutMs,
      commandTargetMs: AUDIT_DEFAULTS.commandTargetMs,
      report: {
        prefixDepth: AUDIT_DEFAULTS.prefixDepth,
        maxPrefixChildren: AUDIT_DEFAULTS.maxPrefixChildren,
        top: AUDIT_DEFAULTS.top,
        bigKeyBytes: AUDIT_DEFAULTS.bigKeyBytes,
        largeCollectionLength: AUDIT_DEFAULTS.largeCollectionLength,
        hugeValueBytes: AUDIT_DEFAULTS.hugeValueBytes,
        separators: undefined,
      },
    });
  });

  it('keeps what the caller gave', () => {
    const settings = auditSettings({
      match: 'cache:*',
      scanCount: 50,
      memorySamples: 0,
      sampleKeys: 10,
      useScripts: false,
      top: 3,
    });
    expect(settings).toMatchObject({
      match: 'cache:*',
      scanCount: 50,
      memorySamples: 0,
      sampleKeys: 10,
      useScripts: false,
    });
    expect(settings.report.top).toBe(3);
  });

  it('refuses an option out of range before anything is sent, naming it', () => {
    expect(() => auditSettings({ scanCount: 10_001 })).toThrow(
      /scanCount must be an integer from 1 to 10000, got 10001/,
    );
    expect(() => auditSettings({ scanCount: 0 })).toThrow(/scanCount/);
    expect(() => auditSettings({ memorySamples: -1 })).toThrow(/memorySamples must be an integer from 0/);
    expect(() => auditSettings({ sampleKeys: 1.5 })).toThrow(/sampleKeys/);
    expect(() => auditSettings({ prefixDepth: 0 })).toThrow(/prefixDepth/);
    expect(() => auditSettings({ commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    expect(() => auditSettings({ commandTargetMs: 0 })).toThrow(/commandTargetMs must be a number above 0/);
    expect(() => auditSettings({ separators: 'ab' })).toThrow(/separators must be ASCII punctuation/);
  });
});
