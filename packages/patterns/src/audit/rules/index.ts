/** The findings rules, in report order. */
import { hashFieldTtlEmulation } from './hash-field-ttl-emulation.ts';
import { hugeValue } from './huge-value.ts';
import { jsonString } from './json-string.ts';
import { largeCollection } from './large-collection.ts';
import { noNamespace } from './no-namespace.ts';
import type { AuditRule } from './rule.ts';

export const AUDIT_RULES: readonly AuditRule[] = [
  hugeValue,
  largeCollection,
  jsonString,
  hashFieldTtlEmulation,
  noNamespace,
];

export { HEAD_BYTES, looksLikeJson } from './json-string.ts';
export type { AuditRule, RuleRun, RuleThresholds } from './rule.ts';
