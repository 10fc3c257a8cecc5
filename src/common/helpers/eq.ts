import { scalar } from './scalar.js';

/** (eq a b): equal as strings, so a form's "3" matches a record's 3; null and undefined match only each other. */
export function eq(a: unknown, b: unknown, ...rest: unknown[]): boolean {
  if (rest.length !== 1) throw new Error('eq takes exactly two arguments');
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return scalar(a, 'eq') === scalar(b, 'eq');
}
