/** A product as the API and the repository see it. */
export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  stock: number;
}

/** What a client sends to create or replace a product. */
export type ProductInput = Omit<Product, 'id'>;

/**
 * Limits checked on every write, so that a product the API accepts can always be cached and served: with them a
 * product's JSON is at most about 2 KB (300 characters, each at most 6 bytes escaped, plus the numbers), far below
 * the cache's 100 KB per value, and a page of 100 products stays below it too.
 */
export const PRODUCT_LIMITS = {
  nameChars: 200,
  categoryChars: 100,
  maxPrice: 1_000_000_000,
  maxStock: 1_000_000_000,
} as const;

/** Product ids: what the repository makes (decimal numbers), and what a route accepts before any lookup. */
export const PRODUCT_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** Whether `id` can be a product id (anything else is a client error, not a lookup). */
export function isProductId(id: string): boolean {
  return PRODUCT_ID.test(id);
}

/** The reason a text field is not acceptable, or undefined. */
function badText(value: unknown, field: string, maxChars: number): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return `${field} must be a non-empty string`;
  const chars = value.trim().length;
  return chars > maxChars ? `${field} must be at most ${maxChars} characters, got ${chars}` : undefined;
}

/** The input from a request body, or the reason it is not one. */
export function parseProductInput(body: unknown): ProductInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  const { name, category, price, currency = 'EUR', stock = 0 } = body as Record<string, unknown>;
  const badField =
    badText(name, 'name', PRODUCT_LIMITS.nameChars) ?? badText(category, 'category', PRODUCT_LIMITS.categoryChars);
  if (badField) return badField;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0 || price > PRODUCT_LIMITS.maxPrice)
    return `price must be a number from 0 to ${PRODUCT_LIMITS.maxPrice}`;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return 'currency must be an ISO 4217 code';
  if (typeof stock !== 'number' || !Number.isInteger(stock) || stock < 0 || stock > PRODUCT_LIMITS.maxStock)
    return `stock must be an integer from 0 to ${PRODUCT_LIMITS.maxStock}`;
  return { name: (name as string).trim(), category: (category as string).trim(), price, currency, stock };
}
