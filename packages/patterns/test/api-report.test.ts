/**
 * The checked-in API report (packages/patterns/api-report.md) is the package's public surface as it is now: a
 * change to what users can import must come with the regenerated report (`npm run api:report`), so it shows in review.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRuntimeExports, readExports, renderReport, REPORT_PATH } from '../scripts/api-report.ts';

describe('API report', () => {
  const surface = readExports();

  it('lists what importing each subpath really yields', async () => {
    await expect(checkRuntimeExports(surface)).resolves.toBeUndefined();
  });

  it('is up to date: run npm run api:report after changing an export', () => {
    expect(readFileSync(REPORT_PATH, 'utf8')).toBe(renderReport(surface));
  });

  it('keeps internals out of the public surface', () => {
    const names = [...surface.values()].flat().map((entry) => entry.name);
    for (const internal of [
      'resolveConnection',
      'serverIdentity',
      'ftCreateCommand',
      'vsimCommand',
      'VectorSetIndex',
    ]) {
      expect(names).not.toContain(internal);
    }
    expect(surface.get('@redis-agent-kit/patterns')?.map((entry) => entry.name)).not.toContain('auditKeyspace');
  });
});
