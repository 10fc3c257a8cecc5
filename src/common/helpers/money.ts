import type { HelperOptions } from 'handlebars';
import { type Fen, fen, formatMoney, moneyInWords } from '../money.js';

/**
 * {{money amount}}: an amount in fen as ¥1,234.50 (the same in both languages); empty for no amount.
 * {{money amount words=true}}: in Chinese capitals, 壹仟贰佰叁拾肆元伍角整, as contracts print it.
 * Anything but a whole number of fen (a string, a float of yuan) is a template bug and throws.
 */
export function money(amount: unknown, ...rest: unknown[]): string {
  const options = rest.pop() as HelperOptions | undefined;
  if (rest.length !== 0 || !options) throw new Error('money takes exactly one amount');
  if (amount === null || amount === undefined) return '';
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount))
    throw new Error(`money: expected an amount in fen, got ${typeof amount} ${JSON.stringify(amount)}`);
  const value: Fen = fen(amount);
  return options.hash?.words === true ? moneyInWords(value) : formatMoney(value);
}
