import { describe, expect, it } from 'vitest';
import { rmbCapitals } from './rmb-capitals.js';

describe('rmbCapitals', () => {
  // Checked by hand against the People's Bank of China's rules for filling in payment documents.
  it.each([
    ['12345.60', '壹万贰仟叁佰肆拾伍元陆角整'],
    ['10000.05', '壹万元零伍分'],
    ['0.5', '伍角整'],
    ['0.50', '伍角整'],
    ['100000000', '壹亿元整'],
    ['1001', '壹仟零壹元整'],
    ['10100', '壹万零壹佰元整'],
    ['100010000', '壹亿零壹万元整'],
    ['1010000', '壹佰零壹万元整'],
    ['15', '壹拾伍元整'],
    ['3000.07', '叁仟元零柒分'],
    ['0', '零元整'],
    ['113000.00', '壹拾壹万叁仟元整'],
  ])('writes %s as %s', (amount, words) => {
    expect(rmbCapitals(amount)).toBe(words);
  });

  it.each(['-1', '-0.01', '12.345', '1e3', '', '¥12', 'abc'])('refuses %j', (amount) => {
    expect(() => rmbCapitals(amount)).toThrow(RangeError);
  });
});
