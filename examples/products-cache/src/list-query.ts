/**
 * Strict parsing of `GET /api/products`'s query string: either `?ids=1,2,3` (up to MAX_IDS product ids) or a page
 * `?limit=50&offset=0`. Anything else (an unknown parameter such as `ids[]`, a parameter given twice, an empty or
 * malformed value) is the client's mistake, answered 400 with the reason: never silently the whole catalogue.
 */
import { isProductId } from './product.ts';

export const MAX_IDS = 100;
export const PAGE_DEFAULTS = { limit: 50, maxLimit: 100, maxOffset: 1_000_000 } as const;

export type ListQuery = { ids: string[] } | { limit: number; offset: number };

const ALLOWED = ['ids', 'limit', 'offset'];

function integer(raw: string, name: string, min: number, max: number): number | string {
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  return value >= min && value <= max ? value : `${name} must be an integer from ${min} to ${max}, got "${raw}"`;
}

/** The query of a request URL (`req.originalUrl`), or the reason it is not a valid one. */
export function parseListQuery(url: string): ListQuery | string {
  const params = new URL(url, 'http://localhost').searchParams;
  const names = [...params.keys()];
  const unknown = names.find((name) => !ALLOWED.includes(name));
  if (unknown !== undefined) return `unknown query parameter "${unknown}"; use ids=1,2,3 or limit and offset`;
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined)
    return `${repeated} is given more than once; give it once (ids as a comma-separated list)`;
  const ids = params.get('ids');
  if (ids !== null) {
    if (params.has('limit') || params.has('offset')) return 'ids cannot be combined with limit or offset';
    const list = ids.split(',');
    const bad = list.find((id) => !isProductId(id));
    if (bad === '') return 'ids must be a comma-separated list of ids, with no empty item';
    if (bad !== undefined) return `"${bad.slice(0, 80)}" is not a product id`;
    const unique = [...new Set(list)];
    if (unique.length > MAX_IDS) return `at most ${MAX_IDS} ids per request`;
    return { ids: unique };
  }
  const limit = integer(params.get('limit') ?? String(PAGE_DEFAULTS.limit), 'limit', 1, PAGE_DEFAULTS.maxLimit);
  if (typeof limit === 'string') return limit;
  const offset = integer(params.get('offset') ?? '0', 'offset', 0, PAGE_DEFAULTS.maxOffset);
  if (typeof offset === 'string') return offset;
  return { limit, offset };
}
