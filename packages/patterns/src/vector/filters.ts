/**
 * Structured filters, and their translation to each backend's language: a vector set `FILTER` expression
 * (`.category == "books" and .price >= 10`) or an FT query prefix (`@category:{books} @price:[10 +inf]`).
 * Building them from data rather than concatenating user text keeps quoting in one place (filter-values.ts).
 */
import { checkFieldName, escapeTag, ftNumber, vsetLiteral, vsetNumber, vsetString } from './filter-values.ts';

export interface SearchFilter {
  /** Attribute equals the value, or one of the values. */
  equals?: Record<string, string | number | boolean | readonly string[]>;
  /** Numeric attribute within [min, max], both inclusive and optional. */
  ranges?: Record<string, { min?: number; max?: number }>;
}

function oneOf(field: string, values: readonly string[]): readonly string[] {
  if (values.length === 0) throw new RangeError(`Filter on "${field}" lists no values: it would match nothing`);
  return values;
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

/** The `VSIM … FILTER` expression, or undefined when there is nothing to filter on. */
export function vectorSetFilter(filter: SearchFilter | undefined): string | undefined {
  const clauses: string[] = [];
  for (const [field, value] of Object.entries(filter?.equals ?? {})) {
    const selector = `.${checkFieldName(field)}`;
    if (Array.isArray(value)) {
      clauses.push(
        `${selector} in [${oneOf(field, value as readonly string[])
          .map((v) => vsetString(v, field))
          .join(', ')}]`,
      );
    } else {
      clauses.push(`${selector} == ${vsetLiteral(value as string | number | boolean, field)}`);
    }
  }
  for (const [field, range] of Object.entries(filter?.ranges ?? {})) {
    checkRange(field, range);
    const selector = `.${checkFieldName(field)}`;
    if (range.min !== undefined) clauses.push(`${selector} >= ${vsetNumber(range.min, field)}`);
    if (range.max !== undefined) clauses.push(`${selector} <= ${vsetNumber(range.max, field)}`);
  }
  return clauses.length ? clauses.join(' and ') : undefined;
}

function ftBound(value: number | undefined, open: '-inf' | '+inf', field: string): string {
  return value === undefined ? open : ftNumber(value, field);
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
    clauses.push(`@${field}:{${values.map((v) => escapeTag(v, field)).join(' | ')}}`);
  }
  for (const [field, range] of Object.entries(filter?.ranges ?? {})) {
    need(field, 'numeric');
    checkRange(field, range);
    clauses.push(`@${field}:[${ftBound(range.min, '-inf', field)} ${ftBound(range.max, '+inf', field)}]`);
  }
  return clauses.length ? `(${clauses.join(' ')})` : '*';
}
