import type { HelperOptions } from 'handlebars';
import { isLocale, translate, type Params } from '../../i18n/i18n.js';

/**
 * {{withColon "key" name=value}}: a translated label followed by the locale's colon, ready for its value
 * ("Owner: " in English, "负责人：" in Chinese, punct.colon). Write `{{withColon "customer.owner"}}{{name}}`.
 */
export function withColon(key: unknown, ...rest: unknown[]): string {
  const options = rest.pop() as HelperOptions;
  if (typeof key !== 'string' || !key) throw new Error('withColon: the first argument must be a message key');
  if (rest.length > 0) throw new Error('withColon: give parameters as name=value');
  const locale: unknown = options.data?.root?.locale;
  if (!isLocale(locale)) throw new Error('withColon: the page has no locale');
  return translate(locale, key, options.hash as Params) + translate(locale, 'punct.colon');
}
