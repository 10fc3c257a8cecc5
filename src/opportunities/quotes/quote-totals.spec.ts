import { describe, expect, it } from 'vitest';
import { fen, fromNumeric, sumMoney } from '../../common/money.js';
import {
  effectiveDiscount,
  fromDecimal,
  passesThreshold,
  shownDiscount,
  quoteTotals,
  readPercent,
  readQuantity,
  shortDecimal,
  toDecimal,
} from './quote-totals.js';

const y = (text: string) => fromNumeric(text);
const line = (quantity: string, unitPrice: string, discount = '0') => ({
  quantity: fromDecimal(quantity, 3),
  unitPrice: y(unitPrice),
  discount: fromDecimal(discount, 2),
});

describe('quoteTotals', () => {
  it('prices without tax: lines, overall discount, then 13% added (hand-checked)', () => {
    // 3 × 1,200.00 less 10% = 3,240.00; 2.5 × 99.99 = 249.975 → 249.98 (half up);
    // subtotal 3,489.98; 5% of it is 174.499 → 174.50; net 3,315.48; 13% is 431.0124 → 431.01.
    const t = quoteTotals({
      lines: [line('3', '1200.00', '10'), line('2.5', '99.99')],
      discount: fromDecimal('5', 2),
      taxRate: fromDecimal('13', 2),
      pricesIncludeTax: false,
    });
    expect(t).toEqual({
      lines: [
        { list: y('3600.00'), total: y('3240.00') },
        { list: y('249.98'), total: y('249.98') },
      ],
      listTotal: y('3849.98'),
      subtotal: y('3489.98'),
      discountAmount: y('174.50'),
      net: y('3315.48'),
      tax: y('431.01'),
      total: y('3746.49'),
    });
    // 534.50 off 3,849.98 is 13.8832…%
    expect(effectiveDiscount(t)).toBe(1388);
  });

  it('prices with tax: the tax is taken out of the total, not added (hand-checked)', () => {
    // 11,300.00 with 13% inside: 10,000.00 + 1,300.00.
    expect(
      quoteTotals({ lines: [line('1', '11300')], discount: 0, taxRate: 1300, pricesIncludeTax: true }),
    ).toMatchObject({ subtotal: y('11300.00'), net: y('10000.00'), tax: y('1300.00'), total: y('11300.00') });
    // 100.00 with 13% inside: 100 ÷ 1.13 = 88.4955… → 88.50 net, 11.50 tax.
    expect(
      quoteTotals({ lines: [line('1', '100')], discount: 0, taxRate: 1300, pricesIncludeTax: true }),
    ).toMatchObject({ net: y('88.50'), tax: y('11.50'), total: y('100.00') });
    // 7 × 33.33 = 233.31 less 3% = 226.3107 → 226.31; less 2.5% overall: 5.65775 → 5.66, total 220.65;
    // 6% inside: 220.65 ÷ 1.06 = 208.1603… → 208.16 net, 12.49 tax.
    expect(
      quoteTotals({
        lines: [line('7', '33.33', '3')],
        discount: 250,
        taxRate: 600,
        pricesIncludeTax: true,
      }),
    ).toMatchObject({
      subtotal: y('226.31'),
      discountAmount: y('5.66'),
      net: y('208.16'),
      tax: y('12.49'),
      total: y('220.65'),
    });
  });

  it('rounds each half fen up, once per line', () => {
    // 0.05 less 50% is 0.025 → 0.03; three such lines are 0.09, not 3 × 0.025 = 0.075 → 0.08.
    const t = quoteTotals({
      lines: [line('1', '0.05', '50'), line('1', '0.05', '50'), line('1', '0.05', '50')],
      discount: 0,
      taxRate: 0,
      pricesIncludeTax: false,
    });
    expect(t.lines.map((l) => l.total)).toEqual([3, 3, 3]);
    expect(t).toMatchObject({ subtotal: 9, net: 9, tax: 0, total: 9 });
    // 0.333 × 0.10 = 0.0333 → 0.03; 1.005 × 1.00 → 1.01 (half up, not to even).
    expect(
      quoteTotals({ lines: [line('0.333', '0.10')], discount: 0, taxRate: 0, pricesIncludeTax: false }).total,
    ).toBe(3);
    expect(
      quoteTotals({ lines: [line('1.005', '1.00')], discount: 0, taxRate: 0, pricesIncludeTax: false }).total,
    ).toBe(101);
  });

  it('always adds up: Σ lines = subtotal; subtotal − discount = net or total; net + tax = total', () => {
    let seed = 7;
    const r = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let i = 0; i < 500; i++) {
      const lines = Array.from({ length: 1 + r(6) }, () => ({
        quantity: 1 + r(100_000),
        unitPrice: fen(r(10_000_000)),
        discount: r(3) ? 0 : r(10_001),
      }));
      const q = {
        lines,
        discount: r(2) ? 0 : r(10_001),
        taxRate: [0, 300, 600, 900, 1300][r(5)],
        pricesIncludeTax: r(2) === 0,
      };
      const t = quoteTotals(q);
      expect(sumMoney(t.lines.map((l) => l.total))).toBe(t.subtotal);
      expect(t.subtotal - t.discountAmount).toBe(q.pricesIncludeTax ? t.total : t.net);
      expect(t.net + t.tax).toBe(t.total);
      expect(t.tax).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses what the forms refuse first', () => {
    const ok = { lines: [line('1', '1')], discount: 0, taxRate: 1300, pricesIncludeTax: false };
    expect(() => quoteTotals({ ...ok, lines: [] })).toThrow(RangeError);
    expect(() => quoteTotals({ ...ok, lines: [{ quantity: 0, unitPrice: y('1'), discount: 0 }] })).toThrow(
      RangeError,
    );
    expect(() =>
      quoteTotals({ ...ok, lines: [{ quantity: 1000, unitPrice: y('-1'), discount: 0 }] }),
    ).toThrow(RangeError);
    expect(() => quoteTotals({ ...ok, discount: 10_001 })).toThrow(RangeError);
    expect(() =>
      quoteTotals({ ...ok, lines: [{ quantity: 1000, unitPrice: y('1'), discount: -1 }] }),
    ).toThrow(RangeError);
  });
});

/** A line of 1,000.00 at 10% off, then `overall` percent off the whole: the discount tests' quote. */
const tenOffThen = (overall: string) =>
  quoteTotals({
    lines: [line('1', '1000', '10')],
    discount: fromDecimal(overall, 2),
    taxRate: 1300,
    pricesIncludeTax: false,
  });

describe('passesThreshold', () => {
  it('compares the whole discount (lines and overall) exactly with the threshold', () => {
    // 900.00 less 5.56% (50.04) = 849.96: 15.004% off 1,000.00, past 15%.
    expect(passesThreshold(tenOffThen('5.56'), 1500)).toBe(true);
    // less 5.55% (49.95) = 850.05: 14.995%.
    expect(passesThreshold(tenOffThen('5.55'), 1500)).toBe(false);
    // exactly 15% does not pass 15%.
    expect(
      passesThreshold(
        quoteTotals({ lines: [line('1', '1000', '15')], discount: 0, taxRate: 0, pricesIncludeTax: false }),
        1500,
      ),
    ).toBe(false);
    expect(
      passesThreshold(
        quoteTotals({ lines: [line('1', '0')], discount: 0, taxRate: 0, pricesIncludeTax: false }),
        0,
      ),
    ).toBe(false);
  });
});

describe('shownDiscount', () => {
  it('shows the discount to the hundredth, and past the threshold never as the threshold itself', () => {
    expect(shownDiscount(tenOffThen('5.55'), 1500)).toBe('15');
    expect(shownDiscount(tenOffThen('5.56'), 1500)).toBe('15.004');
    expect(shownDiscount(tenOffThen('5.56'), 2000)).toBe('15');
    expect(shownDiscount(tenOffThen('10'), 1500)).toBe('19');
  });
});

describe('reading quantities and percentages', () => {
  it.each([
    ['2.5', 2500],
    ['１０', 10000],
    [' 0.001 ', 1],
    ['3.1400', 3140],
  ])('reads the quantity %j', (input, value) => expect(readQuantity(input)).toEqual({ value }));

  it.each([
    ['', 'validation.required'],
    ['-1', 'quote.quantity_positive'],
    ['0', 'quote.quantity_positive'],
    ['1.0005', 'quote.quantity_decimals'],
    ['abc', 'quote.not_a_number'],
    ['1e3', 'quote.not_a_number'],
  ])('refuses the quantity %j', (input, problem) => expect(readQuantity(input)).toEqual({ problem }));

  it.each([
    ['', 0],
    ['15', 1500],
    ['12.5%', 1250],
    ['100', 10000],
    ['0', 0],
  ])('reads the percentage %j', (input, value) => expect(readPercent(input)).toEqual({ value }));

  it.each([
    ['100.01', 'quote.percent_range'],
    ['-5', 'quote.percent_range'],
    ['101', 'quote.percent_range'],
    ['1.005', 'quote.percent_decimals'],
    ['ten', 'quote.not_a_number'],
  ])('refuses the percentage %j', (input, problem) => expect(readPercent(input)).toEqual({ problem }));

  it('writes them as PostgreSQL stores them and as people read them', () => {
    expect(toDecimal(2500, 3)).toBe('2.500');
    expect(toDecimal(1300, 2)).toBe('13.00');
    expect(shortDecimal(2500, 3)).toBe('2.5');
    expect(shortDecimal(1300, 2)).toBe('13');
    expect(shortDecimal(10000, 2)).toBe('100');
    expect(shortDecimal(5, 2)).toBe('0.05');
    expect(fromDecimal('13', 2)).toBe(1300);
  });
});
