import type { HelperOptions } from 'handlebars';
import { isLocale, translate, type Params } from '../../i18n/i18n.js';

/** {{t "key" name=value}} or {{t "key" paramsObject}}: the message in the page's locale. */
export function t(key: unknown, ...rest: unknown[]): string {
  const options = rest.pop() as HelperOptions;
  if (typeof key !== 'string' || !key) throw new Error('t: the first argument must be a message key');
  const locale: unknown = options.data?.root?.locale;
  if (!isLocale(locale)) throw new Error('t: the page has no locale');
  const positional = rest[0] as Params | undefined;
  const named = options.hash as Params;
  return translate(locale, key, positional ? { ...positional, ...named } : named);
}
