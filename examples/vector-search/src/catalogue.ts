/** The shipped product catalogue (data/products.json, made by scripts/generate-catalogue.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Product {
  id: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  price: number;
}

/** Where the generator writes the catalogue and loadCatalogue() reads it. */
export const CATALOGUE_FILE = join(import.meta.dirname, '..', 'data', 'products.json');

export function loadCatalogue(): Product[] {
  return JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as Product[];
}

/** The text a product is embedded from: what a shopper's query is compared with. */
export function productText(product: Product): string {
  return `${product.name}. ${product.description} Category: ${product.category}.`;
}
