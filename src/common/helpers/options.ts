import type { HelperOptions } from 'handlebars';
import { t } from './t.js';

/** (options "customer.tier." values): [{value, label}] for a select, labels in the page's locale. */
export function options(
  prefix: unknown,
  values: unknown,
  hbs: HelperOptions,
): { value: string; label: string }[] {
  if (typeof prefix !== 'string' || !Array.isArray(values))
    throw new Error('options takes a key prefix and a list');
  return values.map((v) => ({ value: String(v), label: t(`${prefix}${String(v)}`, hbs) }));
}
