/** The audit's options checked against their ranges and completed with their defaults, before anything is sent. */
import type { ReportSettings } from './report.ts';
import { checkSeparators } from './separators.ts';
import { AUDIT_DEFAULTS, type AuditOptions } from './types.ts';

/** SCAN COUNT above this makes one SCAN call walk too much of the keyspace at once. */
const MAX_SCAN_COUNT = 10_000;

export interface AuditSettings {
  match: string;
  scanCount: number;
  memorySamples: number;
  sampleKeys: number | undefined;
  sizePass: boolean;
  useScripts: boolean;
  commandTimeoutMs: number;
  commandTargetMs: number;
  report: ReportSettings;
}

function integerOption(name: string, value: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A command deadline longer than this is no deadline. */
const MAX_TIMEOUT_MS = 600_000;

function positiveOption(name: string, value: number, max: number): number {
  if (!(value > 0) || value > max)
    throw new RangeError(`${name} must be a number above 0 and at most ${max}, got ${value}`);
  return value;
}

/** Throws a RangeError naming the first option out of range. */
export function auditSettings(options: AuditOptions): AuditSettings {
  /** A numeric option, or its default, checked against its range. */
  const setting = (
    name: Exclude<keyof typeof AUDIT_DEFAULTS, 'match' | 'useScripts' | 'sizePass' | 'commandTargetMs'>,
    min?: number,
    max?: number,
  ) => integerOption(name, options[name] ?? AUDIT_DEFAULTS[name], min, max);
  return {
    match: options.match ?? AUDIT_DEFAULTS.match,
    scanCount: setting('scanCount', 1, MAX_SCAN_COUNT),
    memorySamples: setting('memorySamples', 0),
    sampleKeys: options.sampleKeys === undefined ? undefined : integerOption('sampleKeys', options.sampleKeys),
    sizePass: options.sizePass ?? AUDIT_DEFAULTS.sizePass,
    useScripts: options.useScripts ?? AUDIT_DEFAULTS.useScripts,
    commandTimeoutMs: setting('commandTimeoutMs', 1, MAX_TIMEOUT_MS),
    commandTargetMs: positiveOption('commandTargetMs', options.commandTargetMs ?? AUDIT_DEFAULTS.commandTargetMs, 100),
    report: {
      prefixDepth: setting('prefixDepth'),
      maxPrefixChildren: setting('maxPrefixChildren'),
      top: setting('top'),
      bigKeyBytes: setting('bigKeyBytes'),
      largeCollectionLength: setting('largeCollectionLength'),
      hugeValueBytes: setting('hugeValueBytes'),
      separators: options.separators === undefined ? undefined : checkSeparators(options.separators),
    },
  };
}

/** Throws a RangeError naming the first option out of range, as auditKeyspace would before sending anything. */
export function checkAuditOptions(options: AuditOptions): void {
  auditSettings(options);
}
