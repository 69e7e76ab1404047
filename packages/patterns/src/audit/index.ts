export { AUDIT_DEFAULTS, auditKeyspace } from './audit.ts';
export { estimateCount, estimateSum, Z95 } from './estimator.ts';
export { AuditPermissionError } from './inspection.ts';
export { PrefixTree } from './prefix-tree.ts';
export { OpsRateLimiter } from './rate-limiter.ts';
export { AUDIT_RULES, type AuditRule, looksLikeJson } from './rules/index.ts';
export { auditCapabilities, masters } from './server.ts';
export type * from './types.ts';
