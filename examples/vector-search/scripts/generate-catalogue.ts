/**
 * Generates data/products.json, the demo's product catalogue, from the word lists below with a seeded random
 * generator: the same file on every run, so it is committed and regenerating it changes nothing.
 *
 *   npm run generate      (node scripts/generate-catalogue.ts)
 */
import { writeFileSync } from 'node:fs';
import { CATALOGUE_FILE, type Product } from '../src/catalogue.ts';

interface Kind {
  noun: string;
  /** Price range in whole currency units. */
  price: [number, number];
  features: string[];
}

const CATALOGUE: Record<string, { uses: string[]; kinds: Kind[] }> = {
  footwear: {
    uses: ['for long days on the trail', 'for city walks', 'for race day', 'for wet winter commutes'],
    kinds: [
      {
        noun: 'hiking boots',
        price: [90, 240],
        features: ['a waterproof membrane', 'grippy lugged soles', 'ankle support'],
      },
      {
        noun: 'trail running shoes',
        price: [80, 180],
        features: ['a rock plate', 'breathable mesh', 'a cushioned midsole'],
      },
      {
        noun: 'road running shoes',
        price: [70, 200],
        features: ['a carbon plate', 'a light foam midsole', 'a roomy toe box'],
      },
      { noun: 'leather sneakers', price: [60, 160], features: ['full-grain leather', 'a cupsole', 'padded collars'] },
      { noun: 'wool slippers', price: [25, 70], features: ['merino lining', 'felt soles', 'a soft heel'] },
      { noun: 'rain boots', price: [35, 120], features: ['natural rubber', 'a pull-on fit', 'a warm liner'] },
    ],
  },
  outdoor: {
    uses: ['for weekend camping', 'for alpine trips', 'for bikepacking', 'for family picnics'],
    kinds: [
      { noun: 'backpacking tent', price: [150, 520], features: ['two doors', 'aluminium poles', 'a full rain fly'] },
      { noun: 'sleeping bag', price: [80, 380], features: ['down fill', 'a draft collar', 'a compression sack'] },
      { noun: 'camping stove', price: [30, 160], features: ['a piezo igniter', 'a simmer control', 'a windscreen'] },
      { noun: 'headlamp', price: [20, 110], features: ['a red night mode', 'USB-C charging', 'a 400 lumen beam'] },
      {
        noun: 'daypack',
        price: [45, 170],
        features: ['a hydration sleeve', 'a ventilated back panel', 'hip belt pockets'],
      },
      { noun: 'trekking poles', price: [40, 190], features: ['carbon shafts', 'cork grips', 'flick locks'] },
    ],
  },
  kitchen: {
    uses: ['for weeknight dinners', 'for slow Sunday breakfasts', 'for small apartments', 'for batch cooking'],
    kinds: [
      {
        noun: 'espresso machine',
        price: [120, 900],
        features: ['a steam wand', 'a 15 bar pump', 'a built-in grinder'],
      },
      {
        noun: 'cast iron skillet',
        price: [25, 120],
        features: ['a pre-seasoned surface', 'a helper handle', 'pour spouts'],
      },
      {
        noun: 'chef knife',
        price: [40, 260],
        features: ['a high-carbon steel blade', 'a full tang', 'a walnut handle'],
      },
      { noun: 'stand mixer', price: [180, 650], features: ['a tilt head', 'a dough hook', 'ten speeds'] },
      {
        noun: 'pour-over coffee kettle',
        price: [30, 150],
        features: ['a gooseneck spout', 'temperature hold', 'a stainless body'],
      },
      { noun: 'rice cooker', price: [40, 280], features: ['fuzzy logic', 'a keep-warm mode', 'a non-stick bowl'] },
    ],
  },
  electronics: {
    uses: ['for travel', 'for the home office', 'for focused work', 'for gaming nights'],
    kinds: [
      {
        noun: 'noise-cancelling headphones',
        price: [90, 450],
        features: ['30 hour battery life', 'multipoint Bluetooth', 'a foldable frame'],
      },
      {
        noun: 'wireless earbuds',
        price: [40, 300],
        features: ['a charging case', 'water resistance', 'touch controls'],
      },
      {
        noun: 'mechanical keyboard',
        price: [60, 250],
        features: ['hot-swappable switches', 'PBT keycaps', 'a USB-C cable'],
      },
      {
        noun: 'portable charger',
        price: [20, 120],
        features: ['20000 mAh capacity', 'fast charging', 'two USB-C ports'],
      },
      {
        noun: '4K monitor',
        price: [250, 1100],
        features: ['a 27 inch IPS panel', 'USB-C power delivery', 'a height-adjustable stand'],
      },
      { noun: 'smart speaker', price: [40, 350], features: ['voice control', 'room-filling sound', 'Wi-Fi streaming'] },
    ],
  },
  home: {
    uses: ['for the living room', 'for a calm bedroom', 'for reading corners', 'for guest rooms'],
    kinds: [
      {
        noun: 'linen duvet cover',
        price: [70, 260],
        features: ['stonewashed linen', 'button closures', 'corner ties'],
      },
      { noun: 'floor lamp', price: [50, 400], features: ['a dimmable bulb', 'a linen shade', 'a brass stem'] },
      { noun: 'wool throw blanket', price: [45, 190], features: ['fringed edges', 'a herringbone weave', 'lambswool'] },
      { noun: 'ceramic planter', price: [15, 90], features: ['a drainage hole', 'a matte glaze', 'a bamboo saucer'] },
      {
        noun: 'air purifier',
        price: [90, 600],
        features: ['a HEPA filter', 'a quiet night mode', 'an air quality sensor'],
      },
      { noun: 'oak bookshelf', price: [120, 700], features: ['solid oak', 'adjustable shelves', 'wall anchoring'] },
    ],
  },
};

const ADJECTIVES = [
  'Classic',
  'Lightweight',
  'Compact',
  'Premium',
  'Everyday',
  'Pro',
  'Ultralight',
  'Rugged',
  'Modern',
  'Essential',
];
const BRANDS = [
  'Northwind',
  'Alder & Co',
  'Summit',
  'Brightline',
  'Kestrel',
  'Hearth',
  'Lumen',
  'Fjord',
  'Juniper',
  'Ironwood',
];
const PRODUCTS_PER_KIND = 10;

/** mulberry32: a tiny seeded generator, so the catalogue is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(20260523);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const products: Product[] = [];
let serial = 0;
for (const [category, { uses, kinds }] of Object.entries(CATALOGUE)) {
  for (const kind of kinds) {
    for (let i = 0; i < PRODUCTS_PER_KIND; i++) {
      const brand = pick(BRANDS);
      const adjective = pick(ADJECTIVES);
      const [first, second] = [...kind.features].sort(() => random() - 0.5);
      const [low, high] = kind.price;
      serial++;
      products.push({
        id: `p${String(serial).padStart(4, '0')}`,
        name: `${brand} ${adjective} ${kind.noun}`,
        description: `${adjective} ${kind.noun} with ${first} and ${second}, made ${pick(uses)}.`,
        category,
        brand,
        // Shop prices end in .99.
        price: Math.floor(low + random() * (high - low)) + 0.99,
      });
    }
  }
}

writeFileSync(CATALOGUE_FILE, `${JSON.stringify(products, null, 2)}\n`);
console.log(`wrote ${products.length} products to ${CATALOGUE_FILE}`);
