/** `@redis-agent-kit/patterns/audit`: the key namespace audit and the shapes of its report. */
export { auditKeyspace } from './audit.ts';
export { AuditTimeoutError } from './deadline.ts';
export { AuditPermissionError } from './inspection.ts';
export { displayKeyName, isEscapedKeyName, keyNameBytes } from './key-name.ts';
export { checkAuditOptions } from './settings.ts';
export {
  AUDIT_DEFAULTS,
  type AuditOptions,
  type AuditProgress,
  type AuditReport,
  type BigKey,
  type Distribution,
  type Estimate,
  type Finding,
  type KeyType,
  type NodeReport,
  type PrefixNode,
  type RuleStatus,
  type Severity,
  type TtlBucket,
  type TypeReport,
} from './types.ts';
