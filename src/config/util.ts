import type { DeepReadonly } from './types';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  // Tag check rather than a prototype check: objects made by structuredClone or
  // in another realm (vm contexts, jest) have a different Object.prototype.
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Object]';
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Freezes `value` and everything reachable from it; returns it typed read-only. */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value as DeepReadonly<T>;
}

/** Structural equality of JSON-like values (own enumerable keys, any order). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

/** Levenshtein edit distance (insert, delete, substitute = 1). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/**
 * The candidate nearest to `name` (case-insensitive Levenshtein; ties → the
 * earliest candidate), or undefined when there are no candidates.
 */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  const needle = name.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = levenshtein(needle, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}
