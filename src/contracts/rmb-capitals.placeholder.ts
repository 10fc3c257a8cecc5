import { fromNumeric, moneyInWords } from '../common/money.js';

/**
 * 人民币大写 of an exact decimal amount ("12345.60" → 壹万贰仟叁佰肆拾伍元陆角整), with the signature of
 * src/common/rmb-capitals.ts's `rmbCapitals`. That file is not in this branch yet: this one answers
 * with money.ts's moneyInWords meanwhile. On merging, import rmbCapitals from common and delete this file.
 */
export function rmbCapitals(amount: string): string {
  return moneyInWords(fromNumeric(amount));
}
