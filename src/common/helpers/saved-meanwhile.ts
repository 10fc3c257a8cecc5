/** (hasKey object key): whether `object` has `key` (a value of '' counts). */
export function hasKey(object: unknown, key: unknown, ...rest: unknown[]): boolean {
  if (rest.length !== 1) throw new Error('hasKey takes an object and a key');
  return typeof object === 'object' && object !== null && typeof key === 'string' && key in object;
}

/** (labelOf options value): the label of the option with `value` in [{value, label}]; '—' for none. */
export function labelOf(options: unknown, value: unknown, ...rest: unknown[]): string {
  if (rest.length !== 1 || !Array.isArray(options)) throw new Error('labelOf takes options and a value');
  if (value === '' || value === null || value === undefined) return '—';
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  const found = (options as { value: string; label: string }[]).find((o) => o.value === text);
  return found ? found.label : text;
}
