import { type AuditRule, eachKey } from './rule.ts';

export const hugeValue: AuditRule = {
  id: 'huge-value',
  severity: 'error',
  title: 'Values over 100 KB',
  fix:
    'Split the value (a hash or chunk keys read with HSCAN/GETRANGE), compress it, or keep the blob in object ' +
    'storage with a pointer in Redis: big values block the server while they are written, read, replicated and deleted.',
  start: eachKey((record, { hugeValueBytes }) => record.bytes > hugeValueBytes),
};
