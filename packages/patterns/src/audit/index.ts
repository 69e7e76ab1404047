export { AUDIT_DEFAULTS, auditKeyspace } from './audit.ts';
export { AuditPermissionError } from './inspection.ts';
export { masters } from './server.ts';
export type * from './types.ts';
