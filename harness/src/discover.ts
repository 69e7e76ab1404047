import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The default exports of every `*<suffix>` file in `dir`, in file-name order, with their file names. Suites,
 * benchmarks and fault scenarios are registered this way, so adding one is adding one file.
 */
export async function importAll<T>(dir: string, suffix: string): Promise<{ file: string; value: T }[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
  const out: { file: string; value: T }[] = [];
  for (const file of files) out.push({ file, value: ((await import(join(dir, file))) as { default: T }).default });
  return out;
}
