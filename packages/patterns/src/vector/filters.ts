/**
 * Structured filters, and their translation to each backend's language: a vector set `FILTER` expression
 * (`.category == "books" and .price >= 10`) or an FT query prefix (`@category:{books} @price:[10 +inf]`).
 * Building them from data rather than concatenating user text keeps quoting in one place.
 */

export interface SearchFilter {
  /** Attribute equals the value, or one of the values. */
  equals?: Record<string, string | number | boolean | readonly string[]>;
  /** Numeric attribute within [min, max], both inclusive and optional. */
  ranges?: Record<string, { min?: number; max?: number }>;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function oneOf(field: string, values: readonly string[]): readonly string[] {
  if (values.length === 0) throw new RangeError(`Filter on "${field}" lists no values: it would match nothing`);
  return values;
}

export function checkFieldName(name: string): string {
  if (!FIELD_NAME.test(name)) {
    throw new RangeError(`Filter field "${name}" is not a plain attribute name (letters, digits, _)`);
  }
  return name;
}

function checkRange(field: string, range: { min?: number; max?: number }): void {
  for (const bound of [range.min, range.max]) {
    if (bound !== undefined && !Number.isFinite(bound)) {
      throw new RangeError(`Range on "${field}" has a non-finite bound ${bound}`);
    }
  }
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
    throw new RangeError(`Range on "${field}" is empty: min ${range.min} > max ${range.max}`);
  }
}

/**
 * A string literal for a vector set filter. The server's tokenizer skips a backslash and the character after it
 * but does not unescape, so a quote cannot be escaped: the literal is wrapped in whichever quote it lacks.
 */
function vsetString(value: string): string {
  if (value.includes('\\')) throw new RangeError(`Filter value ${JSON.stringify(value)} contains a backslash`);
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw new RangeError(`Filter value ${JSON.stringify(value)} contains both quote characters`);
}

function vsetLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return vsetString(value);
  // The server compares booleans as 1 and 0.
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (!Number.isFinite(value)) throw new RangeError(`Filter value ${value} is not a finite number`);
  return String(value);
}

/** The `VSIM … FILTER` expression, or undefined when there is nothing to filter on. */
export function vectorSetFilter(filter: SearchFilter | undefined): string | undefined {
  const clauses: string[] = [];
  for (const [field, value] of Object.entries(filter?.equals ?? {})) {
    const selector = `.${checkFieldName(field)}`;
    if (Array.isArray(value)) {
      clauses.push(
        `${selector} in [${oneOf(field, value as readonly string[])
          .map(vsetString)
          .join(', ')}]`,
      );
    } else {
      clauses.push(`${selector} == ${vsetLiteral(value as string | number | boolean)}`);
    }
  }
  for (const [field, range] of Object.entries(filter?.ranges ?? {})) {
    checkRange(field, range);
    const selector = `.${checkFieldName(field)}`;
    if (range.min !== undefined) clauses.push(`${selector} >= ${range.min}`);
    if (range.max !== undefined) clauses.push(`${selector} <= ${range.max}`);
  }
  return clauses.length ? clauses.join(' and ') : undefined;
}

/** Backslash-escapes every character the FT query parser treats as syntax inside a tag value. */
export function escapeTag(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
}

function ftNumber(value: number | undefined, open: '-inf' | '+inf'): string {
  return value === undefined ? open : String(value);
}

/**
 * The FT pre-filter for a KNN query, `*` when there is none. Equality is a TAG match (numbers and booleans as
 * their text), ranges are NUMERIC; `fields` names the indexed fields so a filter on anything else is refused here
 * rather than by a server error about an unknown field.
 */
export function ftFilterQuery(
  filter: SearchFilter | undefined,
  fields: Record<string, 'tag' | 'text' | 'numeric'>,
): string {
  const need = (field: string, kind: 'tag' | 'numeric') => {
    checkFieldName(field);
    if (fields[field] !== kind) {
      throw new RangeError(
        `Cannot filter on "${field}": it is not indexed as ${kind.toUpperCase()} (declare it in the index's fields)`,
      );
    }
  };
  const clauses: string[] = [];
  for (const [field, value] of Object.entries(filter?.equals ?? {})) {
    need(field, 'tag');
    const values = Array.isArray(value) ? oneOf(field, value as readonly string[]) : [String(value)];
    clauses.push(`@${field}:{${values.map(escapeTag).join(' | ')}}`);
  }
  for (const [field, range] of Object.entries(filter?.ranges ?? {})) {
    need(field, 'numeric');
    checkRange(field, range);
    clauses.push(`@${field}:[${ftNumber(range.min, '-inf')} ${ftNumber(range.max, '+inf')}]`);
  }
  return clauses.length ? `(${clauses.join(' ')})` : '*';
}
