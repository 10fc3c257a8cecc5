import type { HelperOptions } from 'handlebars';
import { isLocale } from '../../i18n/i18n.js';
import { t } from './t.js';

type Option = { value: string; label: string };

/**
 * Option lists already labelled, by list, language and key prefix. The lists are the fixed choices
 * of customer.options.ts and the like, the same array on every page: each is labelled once per
 * language rather than on every render. A list built for one page (a new array each time) is simply
 * labelled again, and forgotten with the array.
 */
const labelled = new WeakMap<readonly unknown[], Map<string, { length: number; options: Option[] }>>();

/** (options "customer.tier." values): [{value, label}] for a select, labels in the page's locale. */
export function options(prefix: unknown, values: unknown, hbs: HelperOptions): Option[] {
  if (typeof prefix !== 'string' || !Array.isArray(values))
    throw new Error('options takes a key prefix and a list');
  const locale: unknown = hbs.data?.root?.locale;
  const key = `${isLocale(locale) ? locale : ''}\n${prefix}`;
  let byKey = labelled.get(values);
  const known = byKey?.get(key);
  if (known && known.length === values.length) return known.options;
  const built = values.map((v) => ({ value: String(v), label: t(`${prefix}${String(v)}`, hbs) }));
  if (!byKey) labelled.set(values, (byKey = new Map()));
  byKey.set(key, { length: values.length, options: built });
  return built;
}
