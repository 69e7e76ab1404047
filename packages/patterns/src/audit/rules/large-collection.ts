import { type AuditRule, eachKey } from './rule.ts';

export const largeCollection: AuditRule = {
  id: 'large-collection',
  severity: 'warning',
  title: 'Very large collections',
  fix:
    'Bucket the collection over several keys (e.g. by a hash of the member), trim it (LTRIM, XTRIM MAXLEN, ' +
    'ZREMRANGEBYRANK), read it with HSCAN/SSCAN/ZSCAN instead of HGETALL/SMEMBERS, and delete it with UNLINK.',
  start: eachKey(
    (record, { largeCollectionLength }) => record.type !== 'string' && (record.length ?? 0) > largeCollectionLength,
  ),
};
