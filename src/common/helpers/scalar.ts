/** A template value as text: strings, numbers and booleans only; anything else is a template bug. */
export function scalar(value: unknown, helper: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  throw new Error(`${helper}: expected text or a number, got ${typeof value}`);
}
