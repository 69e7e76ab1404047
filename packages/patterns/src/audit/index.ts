/** `@redis-agent-kit/patterns/audit`: the key namespace audit and the shapes of its report. */
export { auditKeyspace } from './audit.ts';
export { AuditPermissionError } from './inspection.ts';
export {
  AUDIT_DEFAULTS,
  type AuditOptions,
  type AuditProgress,
  type AuditReport,
  type BigKey,
  type Estimate,
  type Finding,
  type KeyType,
  type NodeReport,
  type PrefixNode,
  type RuleStatus,
  type Severity,
} from './types.ts';
