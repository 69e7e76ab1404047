/**
 * The public surface of @redis-agent-kit/patterns, printed from the package's real exports: every subpath of its
 * `exports` map, each exported name with its kind (and a function's or class's signature), read by the TypeScript
 * checker from the sources the `source` condition names. The values the checker lists are compared with what
 * importing the subpath actually yields, so the report cannot drift from the modules.
 *
 * `npm run api:report` writes packages/patterns/api-report.md; test/api-report.test.ts fails when it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPORT_PATH = fileURLToPath(new URL('../api-report.md', import.meta.url));

interface Entry {
  /** `@redis-agent-kit/patterns/cache` */
  specifier: string;
  /** Absolute path of the TypeScript source. */
  source: string;
}

export interface ExportedName {
  name: string;
  kind: 'class' | 'function' | 'const' | 'variable' | 'enum' | 'interface' | 'type' | 'namespace';
  /** A value exported with `export type`: only its type is public (a class users do not construct, for one). */
  typeOnly?: boolean;
  /** A function's call signatures or a class's constructor signatures, as TypeScript prints them. */
  signature?: string;
}

function entries(): Entry[] {
  const manifest = JSON.parse(readFileSync(`${PACKAGE_DIR}package.json`, 'utf8')) as {
    name: string;
    exports: Record<string, string | { source?: string }>;
  };
  return Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target.source
      ? [{ specifier: `${manifest.name}${subpath.slice(1)}`, source: `${PACKAGE_DIR}${target.source.slice(2)}` }]
      : [],
  );
}

const VALUE_KINDS = new Set<ExportedName['kind']>(['class', 'function', 'const', 'variable', 'enum']);

function kindOf(symbol: ts.Symbol): ExportedName['kind'] {
  const { flags } = symbol;
  if (flags & ts.SymbolFlags.Class) return 'class';
  if (flags & ts.SymbolFlags.Function) return 'function';
  if (flags & ts.SymbolFlags.Enum) return 'enum';
  if (flags & ts.SymbolFlags.Variable) {
    const declaration = symbol.valueDeclaration;
    const list = declaration && ts.isVariableDeclaration(declaration) ? declaration.parent : undefined;
    return list && ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const ? 'const' : 'variable';
  }
  if (flags & ts.SymbolFlags.Interface) return 'interface';
  if (flags & ts.SymbolFlags.TypeAlias) return 'type';
  return 'namespace';
}

/** `export { type X }` or `export type { X }`, followed through re-exports. */
function isTypeOnlyExport(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  for (const declaration of symbol.declarations ?? []) {
    if (ts.isExportSpecifier(declaration) && (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly))
      return true;
  }
  if (!(symbol.flags & ts.SymbolFlags.Alias)) return false;
  const next = checker.getImmediateAliasedSymbol(symbol);
  return next !== undefined && next !== symbol && isTypeOnlyExport(checker, next);
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature;

function signatureOf(checker: ts.TypeChecker, symbol: ts.Symbol, kind: ExportedName['kind']): string | undefined {
  if (kind !== 'function' && kind !== 'class') return undefined;
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!declaration) return undefined;
  const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
  const signatures = kind === 'class' ? type.getConstructSignatures() : type.getCallSignatures();
  return signatures.map((signature) => checker.signatureToString(signature, undefined, FORMAT)).join('; ');
}

/** Alphabetical ignoring case, then by code point: the same order on every machine, whatever its locale. */
function byName(a: ExportedName, b: ExportedName): number {
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
  if (x !== y) return x < y ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Every subpath's exported names, read by the TypeScript checker. */
export function readExports(): Map<string, ExportedName[]> {
  const list = entries();
  const program = ts.createProgram(
    list.map((entry) => entry.source),
    {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ['source'],
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      types: ['node'],
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, ExportedName[]>();
  for (const entry of list) {
    const file = program.getSourceFile(entry.source);
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`${entry.specifier}: TypeScript cannot read ${entry.source}`);
    const names = checker.getExportsOfModule(module).map((exported): ExportedName => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const kind = kindOf(symbol);
      // Only a value (a class, a function) can be narrowed to its type; an interface is a type anyway.
      const typeOnly = VALUE_KINDS.has(kind) && isTypeOnlyExport(checker, exported);
      const signature = typeOnly ? undefined : signatureOf(checker, symbol, kind);
      return { name: exported.name, kind, ...(typeOnly ? { typeOnly } : {}), ...(signature ? { signature } : {}) };
    });
    result.set(entry.specifier, names.sort(byName));
  }
  return result;
}

/**
 * Imports each subpath and throws when its runtime names differ from the values the checker lists (a type-only
 * export that is really a value, or the reverse).
 */
export async function checkRuntimeExports(surface: Map<string, ExportedName[]>): Promise<void> {
  for (const entry of entries()) {
    const runtime = Object.keys(await import(pathToFileURL(entry.source).href)).sort();
    const values = (surface.get(entry.specifier) ?? [])
      .filter((name) => VALUE_KINDS.has(name.kind) && !name.typeOnly)
      .map((name) => name.name)
      .sort();
    if (runtime.join() !== values.join()) {
      throw new Error(
        `${entry.specifier}: the module exports [${runtime}] but the checker lists the values [${values}]`,
      );
    }
  }
}

export function renderReport(surface: Map<string, ExportedName[]>): string {
  const lines = [
    '# @redis-agent-kit/patterns: public API',
    '',
    'Generated by `npm run api:report` from the exports the TypeScript checker reads (and checked against what',
    'importing each subpath yields). `packages/patterns/test/api-report.test.ts` fails when this file is out of date,',
    'so a change to what users can import shows in review.',
  ];
  for (const [specifier, names] of surface) {
    lines.push('', `## \`${specifier}\``, '', '| name | kind | signature |', '| --- | --- | --- |');
    for (const { name, kind, typeOnly, signature } of names) {
      const cell = signature ? `\`${signature.replaceAll('|', '\\|')}\`` : '';
      lines.push(`| \`${name}\` | ${kind}${typeOnly ? ' (type only)' : ''} | ${cell} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const surface = readExports();
  await checkRuntimeExports(surface);
  writeFileSync(REPORT_PATH, renderReport(surface));
  console.log(`wrote ${REPORT_PATH}`);
}
