export { AUDIT_DEFAULTS, auditKeyspace } from './audit.ts';
export { AuditPermissionError } from './inspection.ts';
export type * from './types.ts';
