import { type AuditRule, eachKey } from './rule.ts';

export const noNamespace: AuditRule = {
  id: 'no-namespace',
  severity: 'info',
  title: 'Keys outside any namespace (no separator)',
  fix:
    'Name keys {service}:{entity}:{id} (rename in a migration with COPY then UNLINK) so audits, ACL key patterns ' +
    '(~service:*) and ownership are possible.',
  start: eachKey((record) => !record.separator, false),
};
