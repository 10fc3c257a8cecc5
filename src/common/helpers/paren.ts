import type { HelperOptions } from 'handlebars';
import { isLocale, translate } from '../../i18n/i18n.js';
import { scalar } from './scalar.js';

/**
 * {{paren text}}: an aside in the locale's parentheses, " (text)" in English and "（text）" in Chinese
 * (punct.open, punct.close); nothing for no text. Write it right after what it qualifies.
 */
export function paren(value: unknown, options: HelperOptions): string {
  if (options === undefined || typeof options !== 'object' || !('hash' in options))
    throw new Error('paren: give it one value');
  const locale: unknown = options.data?.root?.locale;
  if (!isLocale(locale)) throw new Error('paren: the page has no locale');
  if (value === null || value === undefined || value === '') return '';
  return `${translate(locale, 'punct.open')}${scalar(value, 'paren')}${translate(locale, 'punct.close')}`;
}
