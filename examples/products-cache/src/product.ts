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

/** The input from a request body, or the reason it is not one. */
export function parseProductInput(body: unknown): ProductInput | string {
  if (typeof body !== 'object' || body === null) return 'expected a JSON object';
  const { name, category, price, currency = 'EUR', stock = 0 } = body as Record<string, unknown>;
  if (typeof name !== 'string' || !name.trim()) return 'name must be a non-empty string';
  if (typeof category !== 'string' || !category.trim()) return 'category must be a non-empty string';
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) return 'price must be a number >= 0';
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return 'currency must be an ISO 4217 code';
  if (typeof stock !== 'number' || !Number.isInteger(stock) || stock < 0) return 'stock must be an integer >= 0';
  return { name: name.trim(), category: category.trim(), price, currency, stock };
}
