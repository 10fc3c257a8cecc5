import { describe, expect, it } from 'vitest';
import { ValidationFailed } from './errors.js';
import {
  type Fen,
  fen,
  formatMoney,
  fromNumeric,
  MAX_FEN,
  moneyInWords,
  moneyTransformer,
  parseMoney,
  readMoney,
  split,
  splitByRatios,
  sumMoney,
  toNumeric,
  yuan,
} from './money.js';

const f = (n: number) => fen(n);

describe('readMoney', () => {
  it.each([
    ['1234.50', 123450],
    ['1234.5', 123450],
    ['¥1,234.5', 123450],
    ['￥1,234.50', 123450],
    ['１２３４．５', 123450],
    ['￥１，２３４．５０', 123450],
    ['RMB 1 234.50', 123450],
    ['rmb1234', 123400],
    ['CNY 12', 1200],
    ['12元', 1200],
    ['  ¥ 12.05  ', 1205],
    ['-¥1,234.50', -123450],
    ['¥-1,234.50', -123450],
    ['－１２', -1200],
    ['−0.05', -5],
    ['-0', 0],
    ['.5', 50],
    ['12.', 1200],
    ['0012.30', 1230],
    ['1.500', 150],
    ['1,234,567.89', 123456789],
    ['999,999,999,999.99', MAX_FEN],
  ])('reads %j as %i fen', (input, expected) => {
    expect(readMoney(input)).toEqual({ fen: expected });
  });

  it.each([
    ['', 'validation.required'],
    ['   ', 'validation.required'],
    ['abc', 'validation.money'],
    ['12abc', 'validation.money'],
    ['1e5', 'validation.money'],
    ['1,23', 'validation.money'],
    ['12 34', 'validation.money'],
    ['1,2345.00', 'validation.money'],
    ['1.2.3', 'validation.money'],
    ['--5', 'validation.money'],
    ['-¥-5', 'validation.money'],
    ['+5', 'validation.money'],
    ['¥', 'validation.money'],
    ['.', 'validation.money'],
    ['$12', 'validation.money'],
    ['12.345', 'validation.moneyDecimals'],
    ['0.001', 'validation.moneyDecimals'],
    ['1,000,000,000,000', 'validation.moneyRange'],
  ])('refuses %j (%s)', (input, problem) => {
    expect(readMoney(input)).toEqual({ problem });
  });
});

describe('parseMoney', () => {
  it('gives the amount, or a 422 naming the field and the reason', () => {
    expect(parseMoney('¥1,234.50', 'amount')).toBe(123450);
    const err = (() => {
      try {
        parseMoney('12.345', 'unitPrice');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationFailed);
    expect((err as ValidationFailed).status).toBe(422);
    expect((err as ValidationFailed).fields).toEqual({ unitPrice: [{ key: 'validation.moneyDecimals' }] });
  });
});

describe('fen and yuan', () => {
  it('take whole numbers only', () => {
    expect(yuan(12)).toBe(1200);
    expect(() => fen(12.5)).toThrow(/whole number of fen/);
    expect(() => fen(Number.NaN)).toThrow(/whole number of fen/);
    expect(() => yuan(0.1)).toThrow(/whole number of yuan/);
  });
});

describe('formatMoney', () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [50, '¥0.50'],
    [123450, '¥1,234.50'],
    [100000, '¥1,000.00'],
    [99999, '¥999.99'],
    [123456789012, '¥1,234,567,890.12'],
    [-123450, '-¥1,234.50'],
    [-5, '-¥0.05'],
    [MAX_FEN, '¥999,999,999,999.99'],
  ])('writes %i fen as %s', (amount, text) => {
    expect(formatMoney(f(amount))).toBe(text);
  });

  it('reads back what it writes', () => {
    for (const n of [0, 1, 99, 100, 123456, -7, MAX_FEN])
      expect(readMoney(formatMoney(f(n)))).toEqual({ fen: n });
  });
});

describe('sumMoney', () => {
  it('adds exactly where floats of yuan would not', () => {
    // 0.1 + 0.2 yuan as floats is 0.30000000000000004.
    expect(sumMoney([f(10), f(20)])).toBe(30);
    expect(sumMoney(Array.from({ length: 1000 }, () => f(1)))).toBe(1000);
    expect(sumMoney([])).toBe(0);
    expect(sumMoney([f(500), f(-200)])).toBe(300);
  });

  it('throws rather than lose a fen', () => {
    expect(() => sumMoney([f(Number.MAX_SAFE_INTEGER), f(1)])).toThrow(/too large/);
    expect(() => sumMoney([1.5 as Fen])).toThrow(/whole number/);
  });
});

describe('split', () => {
  it.each([
    [10000, 3, [3334, 3333, 3333]],
    [100, 4, [25, 25, 25, 25]],
    [2, 3, [1, 1, 0]],
    [0, 2, [0, 0]],
    [-10000, 3, [-3334, -3333, -3333]],
    [-1, 2, [-1, 0]],
    [12345, 1, [12345]],
  ])('splits %i fen in %i: %j', (total, n, parts) => {
    const got = split(f(total), n);
    expect(got).toEqual(parts);
    expect(sumMoney(got)).toBe(total);
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(() => split(f(100), 0)).toThrow(/parts/);
    expect(() => split(f(100), 1.5)).toThrow(/parts/);
  });
});

describe('splitByRatios', () => {
  it.each([
    // 30/70 of ¥100.01: 3000.3 and 7000.7 fen; the fen left goes to the part that lost 0.7.
    [10001, [3, 7], [3000, 7001]],
    [10000, [1, 1, 1], [3334, 3333, 3333]],
    // 1/6, 2/6, 3/6 of 1 fen: remainders 1, 2, 3 of 6: the largest takes it.
    [1, [1, 2, 3], [0, 0, 1]],
    [100, [0, 1], [0, 100]],
    [-10001, [3, 7], [-3000, -7001]],
    // Contract lines of ¥333.33, ¥333.33, ¥333.34 sharing a discount of ¥100.00.
    [10000, [33333, 33333, 33334], [3333, 3333, 3334]],
    // A large total times a large ratio passes 2^53 along the way; bigint keeps it exact.
    [MAX_FEN, [MAX_FEN, 1], [MAX_FEN - 1, 1]],
  ])('splits %i fen by %j: %j', (total, ratios, parts) => {
    const got = splitByRatios(f(total), ratios);
    expect(got).toEqual(parts);
    expect(sumMoney(got)).toBe(total);
  });

  it('breaks ties in favour of the earlier part, so a split is always the same', () => {
    expect(splitByRatios(f(2), [1, 1, 1])).toEqual([1, 1, 0]);
    expect(splitByRatios(f(5), [1, 1, 1, 1, 1, 1])).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('refuses ratios that are not whole, negative, absent or all zero', () => {
    expect(() => splitByRatios(f(100), [0.3, 0.7])).toThrow(/whole numbers/);
    expect(() => splitByRatios(f(100), [-1, 2])).toThrow(/whole numbers/);
    expect(() => splitByRatios(f(100), [])).toThrow(/no ratios/);
    expect(() => splitByRatios(f(100), [0, 0])).toThrow(/zero/);
  });
});

describe('numeric(14,2) text', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [123450, '1234.50'],
    [-5, '-0.05'],
    [-123400, '-1234.00'],
    [MAX_FEN, '999999999999.99'],
  ])('writes %i fen as %s and reads it back', (amount, text) => {
    expect(toNumeric(f(amount))).toBe(text);
    expect(fromNumeric(text)).toBe(amount);
  });

  it('reads numerics of fewer decimals, and refuses more or garbage', () => {
    expect(fromNumeric('12')).toBe(1200);
    expect(fromNumeric('12.5')).toBe(1250);
    expect(fromNumeric('-0.0')).toBe(0);
    expect(() => fromNumeric('12.345')).toThrow(/not a numeric/);
    expect(() => fromNumeric('1e3')).toThrow(/not a numeric/);
    expect(() => fromNumeric('')).toThrow(/not a numeric/);
  });

  it('is the column transformer, passing null through', () => {
    expect(moneyTransformer.to(123450)).toBe('1234.50');
    expect(moneyTransformer.to(null)).toBeNull();
    expect(moneyTransformer.from('1234.50')).toBe(123450);
    expect(moneyTransformer.from(null)).toBeNull();
    expect(() => moneyTransformer.from(1234.5)).toThrow(/read as number/);
    expect(() => moneyTransformer.to('1234.50')).toThrow(/in fen/);
    expect(() => moneyTransformer.to(12.5)).toThrow(/whole number/);
  });
});

describe('moneyInWords', () => {
  // Checked by hand against the People's Bank of China's rules and their examples (marked PBOC).
  it.each([
    ['12345.6', '壹万贰仟叁佰肆拾伍元陆角整'],
    ['0.05', '伍分'],
    ['100000', '壹拾万元整'],
    ['1004.01', '壹仟零肆元零壹分'],
    ['0', '零元整'],
    ['0.5', '伍角整'],
    ['0.56', '伍角陆分'],
    ['1', '壹元整'],
    ['10', '壹拾元整'],
    ['15.8', '壹拾伍元捌角整'], // PBOC: a leading 1 is written 壹拾
    ['110', '壹佰壹拾元整'],
    ['1409.5', '壹仟肆佰零玖元伍角整'], // PBOC: a zero inside is 零
    ['6007.14', '陆仟零柒元壹角肆分'], // PBOC: several zeros inside are one 零
    ['1680.32', '壹仟陆佰捌拾元零叁角贰分'], // PBOC, first form: yuan ending in 0, then 角
    ['107000.53', '壹拾万柒仟元零伍角叁分'], // PBOC, first form
    ['16409.02', '壹万陆仟肆佰零玖元零贰分'], // PBOC: 角 is 0, 分 is not: 零 after 元
    ['325.04', '叁佰贰拾伍元零肆分'], // PBOC
    ['1000.1', '壹仟元零壹角整'],
    ['10010', '壹万零壹拾元整'],
    ['10100', '壹万零壹佰元整'],
    ['11000', '壹万壹仟元整'],
    ['100010', '壹拾万零壹拾元整'],
    ['1000000', '壹佰万元整'],
    ['10000000', '壹仟万元整'],
    ['100000000', '壹亿元整'],
    ['100000001', '壹亿零壹元整'],
    ['100001000', '壹亿零壹仟元整'],
    ['100010000', '壹亿零壹万元整'],
    ['100100000', '壹亿零壹拾万元整'],
    ['110000000', '壹亿壹仟万元整'],
    ['2000000100', '贰拾亿零壹佰元整'],
    ['200000000000', '贰仟亿元整'],
    ['300500020.07', '叁亿零伍拾万零贰拾元零柒分'],
    ['999999999999.99', '玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
    ['-100.5', '负壹佰元零伍角整'],
  ])('writes %s as %s', (amount, words) => {
    expect(moneyInWords(fromNumeric(amount))).toBe(words);
  });
});
