/**
 * Scopes and keys. A scope is the values of the cache's `scopeFields`, all of them required, so a call that forgets
 * one is refused rather than served from a wider scope. Its id (a hash of the values in declared order) is the hash
 * tag of every key of that scope: its vector set, its expiry index and its answers live in one slot, so one script
 * can change them together on a cluster.
 */
import { createHash } from 'node:crypto';
import { MAX_SCOPE_VALUE_CHARS } from './options.ts';

export type Scope = Readonly<Record<string, string>>;

export interface ScopeKeys {
  id: string;
  /** The vector set of the scope's prompts. */
  vset: string;
  /** Sorted set: entry id → expiry time (ms), what the sweeper reads. */
  expiry: string;
  /** The key of one entry's answer (a string with its own TTL). */
  answer(entryId: string): string;
}

function sha(text: string, hexChars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/** Refuses a scope that lacks a field, has an unknown one, or a value that is empty, not a string or too long. */
export function checkScope(scope: Scope | undefined, fields: readonly string[]): Scope {
  if (!scope || typeof scope !== 'object') throw new RangeError(`A scope is required: give ${fields.join(', ')}`);
  for (const field of Object.keys(scope)) {
    if (!fields.includes(field)) throw new RangeError(`Scope field "${field}" is not one of ${fields.join(', ')}`);
  }
  for (const field of fields) {
    const value = scope[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new RangeError(
        `Scope field "${field}" is missing or empty: every check and store names ${fields.join(', ')}`,
      );
    }
    if (value.length > MAX_SCOPE_VALUE_CHARS) {
      throw new RangeError(`Scope field "${field}" is ${value.length} characters, over ${MAX_SCOPE_VALUE_CHARS}`);
    }
  }
  return scope;
}

/** The scope's id: its values in declared order, hashed (JSON keeps `a|b` and `a`,`|b` apart). */
export function scopeId(scope: Scope, fields: readonly string[]): string {
  return sha(JSON.stringify(fields.map((field) => scope[field])), 32);
}

/** An entry's id within its scope: the prompt's hash, so storing the same prompt again replaces its entry. */
export function entryId(prompt: string): string {
  return sha(prompt, 32);
}

export function scopeKeys(base: string, id: string): ScopeKeys {
  const tag = `${base}:{${id}}`;
  return { id, vset: `${tag}:vset`, expiry: `${tag}:exp`, answer: (entry) => `${tag}:a:${entry}` };
}
