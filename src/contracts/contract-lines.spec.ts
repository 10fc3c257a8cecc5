import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../common/errors.js';
import { fen } from '../common/money.js';
import {
  lineTotal,
  linesFromQuote,
  quantityText,
  readLines,
  readQuantity,
  shortQuantity,
} from './contract-lines.js';

const line = (quantity: string, unitPrice: string, item = '服务器') => ({
  item,
  specification: null,
  unit: '台',
  quantity,
  unitPrice,
});

function fieldsOf(run: () => unknown): Record<string, string[]> {
  let thrown: unknown = null;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ValidationFailed);
  return Object.fromEntries(
    Object.entries((thrown as ValidationFailed).fields).map(([k, v]) => [k, v.map((x) => x.key)]),
  );
}

describe('contract lines', () => {
  it('reads quantities exactly in thousandths', () => {
    expect(readQuantity('3')).toBe(3000);
    expect(readQuantity('1.5')).toBe(1500);
    expect(readQuantity('１,200.250')).toBe(1_200_250);
    expect(readQuantity('2.5000')).toBe(2500);
    expect(readQuantity('0')).toEqual({ problem: 'contract.quantity_invalid' });
    expect(readQuantity('-1')).toEqual({ problem: 'contract.quantity_invalid' });
    expect(readQuantity('abc')).toEqual({ problem: 'contract.quantity_invalid' });
    expect(readQuantity('1.0001')).toEqual({ problem: 'contract.quantity_decimals' });
    expect(readQuantity('')).toEqual({ problem: 'validation.required' });
    expect(quantityText(1500)).toBe('1.500');
    expect(shortQuantity('1.500')).toBe('1.5');
    expect(shortQuantity('3.000')).toBe('3');
  });

  it('rounds a line total half up to the fen, as PostgreSQL’s round()', () => {
    expect(lineTotal(1500, fen(333))).toBe(500); // 1.5 × 3.33 = 4.995 → 5.00
    expect(lineTotal(3000, fen(3333))).toBe(9999);
    expect(lineTotal(333, fen(1))).toBe(0); // 0.00333 → 0.00
    expect(lineTotal(1000, fen(99_999_999_999_99))).toBe(99_999_999_999_99);
  });

  it('sums the lines exactly: 0.1 + 0.2 is 0.30', () => {
    const { lines, amount } = readLines([line('1', '0.10'), line('1', '0.20'), line('3', '33,333.33')]);
    expect(amount).toBe(10 + 20 + 9_999_999);
    expect(lines.map((l) => l.position)).toEqual([1, 2, 3]);
    expect(lines[2]).toMatchObject({ quantity: '3.000', unitPrice: 3_333_333, lineTotal: 9_999_999 });
  });

  it('refuses no lines, and names each wrong field of each line', () => {
    expect(fieldsOf(() => readLines([]))).toEqual({ lines: ['contract.lines_required'] });
    expect(fieldsOf(() => readLines([line('1', '-5'), line('x', '12'), line('2', 'abc', '')]))).toEqual({
      'lines.0.unitPrice': ['contract.price_negative'],
      'lines.1.quantity': ['contract.quantity_invalid'],
      'lines.2.item': ['validation.required'],
      'lines.2.unitPrice': ['validation.money'],
    });
  });
});

describe('linesFromQuote', () => {
  it('keeps quantities and shares the quote total (discounts and tax) among the lines to the fen', () => {
    // Two servers at 6,172.80 and a free installation, 13% tax added: 13,950.53 to pay.
    const lines = linesFromQuote({
      total: fen(1_395_053),
      lines: [
        {
          itemName: '服务器',
          specification: 'R760',
          unit: '台',
          quantity: '2.000',
          lineTotal: fen(1_234_560),
        },
        { itemName: '安装调试', specification: null, unit: '次', quantity: '1.000', lineTotal: fen(0) },
      ],
    });
    expect(lines[1]).toMatchObject({ item: '安装调试', quantity: '1', unitPrice: '0.00' });
    // 13,950.53 over 2 台 has no price in fen: one lot, the quantity kept in the specification.
    expect(lines[0]).toMatchObject({
      item: '服务器',
      specification: 'R760（2台）',
      quantity: '1',
      unitPrice: '13950.53',
    });
    expect(readLines(lines).amount).toBe(1_395_053);
  });

  it('keeps every quantity when a priced line of quantity 1 can take the fen the unit prices leave', () => {
    // 5 licences, 20 days of service and a year of support, 12% off each, 8% off the whole, 13% tax.
    const lines = linesFromQuote({
      total: fen(34_649_868),
      lines: [
        {
          itemName: '软件许可',
          specification: '企业版',
          unit: '套',
          quantity: '5.000',
          lineTotal: fen(28_380_000),
        },
        {
          itemName: '实施服务',
          specification: null,
          unit: '人天',
          quantity: '20.000',
          lineTotal: fen(2_112_000),
        },
        {
          itemName: '年度维保',
          specification: '7×24',
          unit: '年',
          quantity: '1.000',
          lineTotal: fen(2_838_000),
        },
      ],
    });
    expect(lines.map((l) => [l.item, l.quantity, l.unit])).toEqual([
      ['软件许可', '5', '套'],
      ['实施服务', '20', '人天'],
      ['年度维保', '1', '年'],
    ]);
    expect(readLines(lines).amount).toBe(34_649_868);
  });

  it('keeps a line at its quantity when a unit price in fen gives its share exactly, else one lot', () => {
    const lines = linesFromQuote({
      total: fen(339_000),
      lines: [
        { itemName: '终端', specification: null, unit: '套', quantity: '3.000', lineTotal: fen(200_000) },
        { itemName: '布线', specification: null, unit: '米', quantity: '100.000', lineTotal: fen(100_000) },
      ],
    });
    expect(lines).toEqual([
      // 2,260.00 for 3 套 has no unit price in fen (753.33 × 3 = 2,259.99): one lot.
      { item: '终端', specification: '3套', unit: null, quantity: '1', unitPrice: '2260.00' },
      { item: '布线', specification: null, unit: '米', quantity: '100', unitPrice: '11.30' },
    ]);
    expect(readLines(lines).amount).toBe(339_000);
  });
});
