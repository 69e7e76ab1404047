import { existsSync, readdirSync } from 'node:fs';
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

export const EXAMPLES_DIR = join(import.meta.dirname, '..', '..', 'examples');

/** The examples: the folders under examples/ with a package.json. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((d) => existsSync(join(EXAMPLES_DIR, d, 'package.json')));
}

/**
 * For the CLIs: the registered items named in `wanted`, or all of them when it is empty. An unknown id ends the
 * process with exit code 2 and the known ids, e.g. `unknown benchmark x; known: a, b`.
 */
export function selectByIdOrExit<T extends { id: string }>(all: T[], wanted: string[], what: string): T[] {
  const unknown = wanted.filter((id) => !all.some((item) => item.id === id));
  if (unknown.length) {
    console.error(`unknown ${what} ${unknown.join(', ')}; known: ${all.map((item) => item.id).join(', ')}`);
    process.exit(2);
  }
  return wanted.length ? all.filter((item) => wanted.includes(item.id)) : all;
}
