import { fromNumeric, moneyInWords } from './money.js';

/**
 * An amount in Chinese capitals as quotes, contracts and cheques print it (人民币大写), from the decimal
 * text the database and the API hold ("12345.60" → 壹万贰仟叁佰肆拾伍元陆角整). The rules (零 across the
 * 万 and 亿 groups, 壹拾, 整 when there is no 分) are moneyInWords' in money.ts; this is the entry point
 * for printed documents, which never show a negative amount: "-1" is refused, as is anything that is
 * not a plain decimal of at most two places (no float ever reaches it).
 */
export function rmbCapitals(amount: string): string {
  const text = amount.trim();
  if (text.startsWith('-')) throw new RangeError(`rmbCapitals: a negative amount has no capitals: ${amount}`);
  if (!/^\d+(?:\.\d{1,2})?$/.test(text)) throw new RangeError(`rmbCapitals: not a decimal amount: ${amount}`);
  return moneyInWords(fromNumeric(text));
}
