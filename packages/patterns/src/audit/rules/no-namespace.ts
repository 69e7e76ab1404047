import { type AuditRule, Matches } from './rule.ts';

export const noNamespace: AuditRule = {
  id: 'no-namespace',
  severity: 'info',
  title: "Keys outside any namespace (no ':')",
  fix:
    'Name keys {service}:{entity}:{id} (rename in a migration with COPY then UNLINK) so audits, ACL key patterns ' +
    '(~service:*) and ownership are possible.',
  start() {
    const matches = new Matches();
    return {
      observe(record) {
        if (!record.key.includes(':')) matches.add(record.key);
      },
      finish: () => matches.result(false),
    };
  },
};
